import { z } from "zod";

/** Query of `GET /sandbox/mutations`: `since` is an ISO 8601 date-time (or a date); without it, every mutation. */
export const MutationsQuery = z.object({
  since: z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], {
      error: (i) => `must be an ISO 8601 timestamp such as 2025-03-01T08:00:00Z, not ${JSON.stringify(i.input)}`,
    })
    .optional(),
});
export type MutationsQuery = z.infer<typeof MutationsQuery>;

/** Body of `POST /sandbox/reset`: empty, or `{}`. Reset always restores every cluster. */
export const ResetBody = z.strictObject({});

/** A zod error as one line a client can act on: each problem with the field it concerns. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      if (i.code === "unrecognized_keys") return `unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.join(", ")}`;
      return i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message;
    })
    .join("; ");
}
