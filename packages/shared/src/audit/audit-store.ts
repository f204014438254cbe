import { randomUUID } from "node:crypto";
import pg from "pg";
import { z } from "zod";
import { err, ok, type Result } from "../core/result.js";
import { AuditEvent, NewAuditEvent } from "../domain/audit-event.js";
import type { Logger } from "../logging/logger.js";
import { redactSecretFields } from "../logging/redact.js";
import { AUDIT_COLUMNS, AuditQuery, buildAuditQuery } from "./audit-query.js";
import { verifyAuditChain, type ChainVerification } from "./chain-verification.js";

export type AuditError =
  | { code: "invalid"; message: string }
  | { code: "unavailable"; message: string; cause: unknown };

/** The audit log as the apps use it. Nothing here can change or remove a row. */
export interface AuditStore {
  /** Appends one event; resolves once it is committed, with its seq and hash. */
  append(event: NewAuditEvent): Promise<Result<AuditEvent, AuditError>>;
  query(filter: AuditQuery): Promise<Result<AuditEvent[], AuditError>>;
  /** Re-computes every hash and link; reports the first row that does not hold. */
  verifyChain(): Promise<Result<ChainVerification, AuditError>>;
  /** The last seq and hash, e.g. to publish as an external anchor. */
  head(): Promise<Result<{ seq: number; hash: string }, AuditError>>;
  /** Waits for queued appends, then closes the connections. */
  close(): Promise<void>;
}

const MAX_BATCH = 500;

interface Pending {
  event: z.output<typeof NewAuditEvent> & { id: string };
  resolve: (r: Result<AuditEvent, AuditError>) => void;
}

const Row = z.object({
  seq: z.string(),
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  type: z.string(),
  incident_id: z.string().nullable(),
  target: z.string().nullable(),
  cluster: z.string().nullable(),
  namespace: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  prev_hash: z.string(),
  hash: z.string(),
});

function toEvent(row: unknown): AuditEvent {
  const r = Row.parse(row);
  return AuditEvent.parse({
    seq: Number(r.seq),
    id: r.id,
    at: r.at,
    actor: r.actor,
    type: r.type,
    incidentId: r.incident_id,
    target: r.target,
    cluster: r.cluster,
    namespace: r.namespace,
    data: r.data,
    prevHash: r.prev_hash,
    hash: r.hash,
  });
}

const INSERT_SQL = `
  INSERT INTO audit_events (id, actor, type, incident_id, target, cluster, namespace, data)
  SELECT id, actor, type, incident_id, target, cluster, namespace, data
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
       WITH ORDINALITY AS t(id, actor, type, incident_id, target, cluster, namespace, data, ord)
  ORDER BY ord
  RETURNING ${AUDIT_COLUMNS}`;

function unavailable(cause: unknown): AuditError {
  return { code: "unavailable", message: `audit store unavailable: ${(cause as Error).message}`, cause };
}

/**
 * The Postgres audit store. Appends that arrive while a write is in flight are written together
 * in the next statement (group commit): a lone caller pays one round trip, a busy process
 * shares each commit between many events. The chain itself is kept by the database (see the
 * migration), so any number of processes may append at once.
 */
export class PgAuditStore implements AuditStore {
  private readonly pool: pg.Pool;
  private queue: Pending[] = [];
  private draining: Promise<void> | null = null;

  constructor(
    databaseUrl: string,
    private readonly log: Logger,
    poolSize = 4,
  ) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, application_name: "autodevops-audit" });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    this.pool.on("error", (e) => this.log.warn({ err: e }, "audit pool connection lost"));
  }

  append(input: NewAuditEvent): Promise<Result<AuditEvent, AuditError>> {
    const parsed = NewAuditEvent.safeParse(input);
    if (!parsed.success) {
      const message = `invalid audit event: ${z.prettifyError(parsed.error)}`;
      this.log.error({ actor: input?.actor, type: input?.type }, message);
      return Promise.resolve(err({ code: "invalid", message }));
    }
    const event = { ...parsed.data, data: redactSecretFields(parsed.data.data), id: randomUUID() };
    return new Promise((resolve) => {
      this.queue.push({ event, resolve });
      this.draining ??= this.drain().finally(() => (this.draining = null));
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      const written = await this.write(batch.map((p) => p.event));
      if (written.ok) {
        const byId = new Map(written.value.map((e) => [e.id, e]));
        for (const p of batch) {
          const row = byId.get(p.event.id);
          p.resolve(row ? ok(row) : err(unavailable(new Error("row missing from RETURNING"))));
        }
      } else if (batch.length > 1) {
        // One bad event must not fail its neighbours: retry them one by one.
        for (const p of batch) {
          const single = await this.write([p.event]);
          p.resolve(single.ok && single.value[0] ? ok(single.value[0]) : err(single.ok ? unavailable(new Error("no row")) : single.error));
        }
      } else {
        batch[0]?.resolve(err(written.error));
      }
    }
  }

  private async write(events: Pending["event"][]): Promise<Result<AuditEvent[], AuditError>> {
    try {
      const res = await this.pool.query(INSERT_SQL, [
        events.map((e) => e.id),
        events.map((e) => e.actor),
        events.map((e) => e.type),
        events.map((e) => e.incidentId ?? null),
        events.map((e) => e.target ?? null),
        events.map((e) => e.cluster ?? null),
        events.map((e) => e.namespace ?? null),
        events.map((e) => JSON.stringify(e.data)),
      ]);
      return ok(res.rows.map(toEvent));
    } catch (cause) {
      this.log.error({ err: cause, events: events.length }, "audit append failed");
      return err(unavailable(cause));
    }
  }

  async query(filter: AuditQuery): Promise<Result<AuditEvent[], AuditError>> {
    const parsed = AuditQuery.safeParse(filter);
    if (!parsed.success) return err({ code: "invalid", message: `invalid audit query: ${z.prettifyError(parsed.error)}` });
    try {
      const { text, values } = buildAuditQuery(parsed.data);
      const res = await this.pool.query(text, values);
      return ok(res.rows.map(toEvent));
    } catch (cause) {
      return err(unavailable(cause));
    }
  }

  async verifyChain(): Promise<Result<ChainVerification, AuditError>> {
    try {
      return ok(await verifyAuditChain(this.pool));
    } catch (cause) {
      return err(unavailable(cause));
    }
  }

  async head(): Promise<Result<{ seq: number; hash: string }, AuditError>> {
    try {
      const res = await this.pool.query<{ seq: string; hash: string }>("SELECT seq, hash FROM audit_chain_head");
      const row = res.rows[0];
      if (!row) return err(unavailable(new Error("audit_chain_head has no row; were the migrations run?")));
      return ok({ seq: Number(row.seq), hash: row.hash });
    } catch (cause) {
      return err(unavailable(cause));
    }
  }

  async close(): Promise<void> {
    await this.draining;
    await this.pool.end();
  }
}
