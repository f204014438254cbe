import { z } from "zod";
import { MemoryRecord } from "./types.js";

/** A record as a database hands it back (Postgres column names or Mongo fields), checked before use. */
const StoredRecord = z
  .object({
    id: z.string(),
    kind: z.string(),
    userId: z.string().nullable(),
    text: z.string(),
    metadata: z.unknown(),
    createdAt: z.coerce.date(),
    expiresAt: z.coerce.date().nullable(),
  })
  .transform((r, ctx) => {
    const parsed = MemoryRecord.safeParse({ ...r, metadata: r.metadata ?? {} });
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: `stored memory ${r.id} is malformed: ${parsed.error.message}` });
      return z.NEVER;
    }
    return parsed.data;
  });

/** Reads one stored row into a MemoryRecord; a malformed row is a broken invariant and throws. */
export function storedToRecord(row: unknown): MemoryRecord {
  return StoredRecord.parse(row);
}
