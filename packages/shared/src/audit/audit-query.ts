import { z } from "zod";
import { Timestamp } from "../domain/vocabulary.js";

/** A search of the audit log; every filter is optional and they combine with AND. */
export const AuditQuery = z.strictObject({
  incidentId: z.string().min(1).optional(),
  target: z.string().min(1).optional(),
  actor: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  /** Inclusive lower bound on `at`. */
  since: Timestamp.optional(),
  /** Exclusive upper bound on `at`. */
  until: Timestamp.optional(),
  /** Only rows after this seq (ascending) or before it (descending), for paging. */
  cursor: z.number().int().nonnegative().optional(),
  order: z.enum(["asc", "desc"]).default("asc"),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type AuditQuery = z.input<typeof AuditQuery>;

/** Builds the WHERE clause and parameters of a parsed query. Column names are fixed here, never taken from input. */
export function buildAuditQuery(q: z.output<typeof AuditQuery>): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replace("?", `$${values.length}`));
  };
  if (q.incidentId !== undefined) add("incident_id = ?", q.incidentId);
  if (q.target !== undefined) add("target = ?", q.target);
  if (q.actor !== undefined) add("actor = ?", q.actor);
  if (q.type !== undefined) add("type = ?", q.type);
  if (q.since !== undefined) add("at >= ?", q.since);
  if (q.until !== undefined) add("at < ?", q.until);
  if (q.cursor !== undefined) add(q.order === "asc" ? "seq > ?" : "seq < ?", q.cursor);
  values.push(q.limit);
  const text =
    `SELECT ${AUDIT_COLUMNS} FROM audit_events` +
    (where.length ? ` WHERE ${where.join(" AND ")}` : "") +
    ` ORDER BY seq ${q.order === "asc" ? "ASC" : "DESC"} LIMIT $${values.length}`;
  return { text, values };
}

/** `at` is read as text with microseconds so that a row's time can be passed back as an exact bound. */
export const AUDIT_COLUMNS =
  "seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS at, " +
  "actor, type, incident_id, target, cluster, namespace, data, prev_hash, hash";
