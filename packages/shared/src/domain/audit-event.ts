import { z } from "zod";
import { Timestamp } from "./vocabulary.js";

/** What an audit row records. Everything that acts or decides writes one. */
export const AUDIT_EVENT_TYPES = [
  "system.started",
  "system.stopped",
  "finding.recorded",
  "incident.opened",
  "incident.updated",
  "incident.resolved",
  "incident.escalated",
  "decision.made",
  "policy.refused",
  "action.proposed",
  "action.approved",
  "action.rejected",
  "action.executing",
  "action.succeeded",
  "action.failed",
  "action.skipped",
  "action.undone",
  "approval.requested",
  "approval.decided",
  "approval.expired",
  "pull_request.opened",
  "pull_request.failed",
  "pull_request.closed",
  "postmortem.filed",
  "verification.passed",
  "verification.failed",
  "tool.called",
  "input.rejected",
  "chat.answered",
] as const;
export const AuditEventType = z.enum(AUDIT_EVENT_TYPES);
export type AuditEventType = z.infer<typeof AuditEventType>;

const JSON_DATA_MAX_BYTES = 64 * 1024;

/** JSON-safe values only: what goes in must come back out of `jsonb` unchanged, or the hash breaks. */
const JsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([
    z.string().refine((s) => !s.includes("\u0000"), "NUL characters cannot be stored"),
    z.number().refine((n) => Number.isFinite(n) && !Object.is(n, -0), "expected a finite number"),
    z.boolean(),
    z.null(),
    z.array(JsonValue),
    z.record(z.string(), JsonValue),
  ]),
);

/** What a caller appends; the store assigns `seq`, `at` and the hashes. */
export const NewAuditEvent = z.strictObject({
  /** Who did it: `scarlet`, `jamie`, `user:alice`, `slack:U123`, `system`. */
  actor: z.string().min(1).max(200),
  type: AuditEventType,
  incidentId: z.string().min(1).max(200).optional(),
  /** What it was done to, as `cluster/namespace/name` (see `targetRef`). */
  target: z.string().min(1).max(500).optional(),
  cluster: z.string().min(1).max(100).optional(),
  namespace: z.string().max(100).optional(),
  data: z
    .record(z.string(), JsonValue)
    .default({})
    .refine((d) => Buffer.byteLength(JSON.stringify(d)) <= JSON_DATA_MAX_BYTES, `data must be at most ${JSON_DATA_MAX_BYTES} bytes of JSON`),
});
export type NewAuditEvent = z.input<typeof NewAuditEvent>;

/** A row of the append-only, hash-chained audit log. */
export const AuditEvent = z.object({
  /** Position in the chain, gap-free from 1; also the row's id. */
  seq: z.number().int().positive(),
  at: Timestamp,
  actor: z.string(),
  /** Read back as text: rows written by a newer release may carry types this one does not know. */
  type: z.string(),
  incidentId: z.string().nullable(),
  target: z.string().nullable(),
  cluster: z.string().nullable(),
  namespace: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

/** The canonical target reference the audit log is queried by. */
export function targetRef(parts: { cluster: string; namespace?: string; name: string }): string {
  return [parts.cluster, parts.namespace ?? "", parts.name].join("/");
}
