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
  event: z.output<typeof NewAuditEvent>;
  resolve: (r: Result<AuditEvent, AuditError>) => void;
}

const Row = z.object({
  seq: z.string(),
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

// Named statements are parsed and planned once per connection: the single-row form is the hot
// path of a caller that awaits each append.
const INSERT_ONE = {
  name: "audit_insert_one",
  text: `INSERT INTO audit_events (actor, type, incident_id, target, cluster, namespace, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING ${AUDIT_COLUMNS}`,
};
// The rows are inserted in `ord` order and the chain trigger numbers them as they come, so
// sorting RETURNING by seq gives them back in the order they were queued.
const INSERT_MANY = {
  name: "audit_insert_many",
  text: `INSERT INTO audit_events (actor, type, incident_id, target, cluster, namespace, data)
         SELECT actor, type, incident_id, target, cluster, namespace, data
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
              WITH ORDINALITY AS t(actor, type, incident_id, target, cluster, namespace, data, ord)
         ORDER BY ord
         RETURNING ${AUDIT_COLUMNS}`,
};

/** pg errors carry their client (and so the connection settings); log only what helps. */
function errorSummary(e: unknown): { message: string; code?: string } {
  const { message, code } = e as { message?: string; code?: string };
  return { message: message ?? String(e), ...(code ? { code } : {}) };
}

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
    this.pool.on("error", (e) => this.log.warn({ err: errorSummary(e) }, "audit pool connection lost"));
  }

  append(input: NewAuditEvent): Promise<Result<AuditEvent, AuditError>> {
    const parsed = NewAuditEvent.safeParse(input);
    if (!parsed.success) {
      const message = `invalid audit event: ${z.prettifyError(parsed.error)}`;
      this.log.error({ actor: input?.actor, type: input?.type }, message);
      return Promise.resolve(err({ code: "invalid", message }));
    }
    const event = { ...parsed.data, data: redactSecretFields(parsed.data.data) };
    return new Promise((resolve) => {
      this.queue.push({ event, resolve });
      if (!this.draining) this.draining = this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        await this.writeBatch(batch);
      }
    } finally {
      // Reset in the same synchronous step that saw the queue empty: an append made by a
      // caller woken by the last batch then starts a new drain instead of waiting on this one.
      this.draining = null;
    }
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const written = await this.write(batch.map((p) => p.event));
    if (written.ok) {
      batch.forEach((p, i) => {
        const row = written.value[i];
        p.resolve(row ? ok(row) : err(unavailable(new Error("row missing from RETURNING"))));
      });
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

  private async write(events: Pending["event"][]): Promise<Result<AuditEvent[], AuditError>> {
    const column = <K extends keyof Pending["event"]>(k: K) => events.map((e) => e[k] ?? null);
    try {
      const values = [
        column("actor"),
        column("type"),
        column("incidentId"),
        column("target"),
        column("cluster"),
        column("namespace"),
        events.map((e) => JSON.stringify(e.data)),
      ];
      const res =
        events.length === 1
          ? await this.pool.query({ ...INSERT_ONE, values: values.map((v) => v[0]) })
          : await this.pool.query({ ...INSERT_MANY, values });
      return ok(res.rows.map(toEvent).sort((a, b) => a.seq - b.seq));
    } catch (cause) {
      this.log.error({ err: errorSummary(cause), events: events.length }, "audit append failed");
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
