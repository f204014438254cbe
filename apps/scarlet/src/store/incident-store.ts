import type pg from "pg";
import { Incident, type IncidentStatus } from "@autodevops/shared";

/** Statuses after which an incident takes no more work. */
export const SETTLED: ReadonlySet<IncidentStatus> = new Set(["resolved", "escalated", "failed"]);

/** Incidents as the API shows them, one JSON document per incident. */
export class IncidentStore {
  constructor(private readonly pool: pg.Pool) {}

  async save(incident: Incident): Promise<void> {
    await this.pool.query(
      `INSERT INTO scarlet_incidents (id, fingerprint, status, opened_at, updated_at, doc) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at, doc = EXCLUDED.doc`,
      [incident.id, incident.fingerprint, incident.status, incident.openedAt, incident.updatedAt, JSON.stringify(incident)],
    );
  }

  async get(id: string): Promise<Incident | undefined> {
    const r = await this.pool.query<{ doc: unknown }>("SELECT doc FROM scarlet_incidents WHERE id = $1", [id]);
    return r.rows[0] ? Incident.parse(r.rows[0].doc) : undefined;
  }

  async list(q: { status?: IncidentStatus; since?: Date; limit?: number }): Promise<Incident[]> {
    const r = await this.pool.query<{ doc: unknown }>(
      `SELECT doc FROM scarlet_incidents
       WHERE ($1::text IS NULL OR status = $1) AND ($2::timestamptz IS NULL OR opened_at >= $2 OR updated_at >= $2)
       ORDER BY opened_at DESC LIMIT $3`,
      [q.status ?? null, q.since?.toISOString() ?? null, q.limit ?? 500],
    );
    return r.rows.map((row) => Incident.parse(row.doc));
  }

  /** Incidents still being worked on (not settled), oldest first: what a restart picks up. */
  async unsettled(): Promise<Incident[]> {
    const r = await this.pool.query<{ doc: unknown }>(
      "SELECT doc FROM scarlet_incidents WHERE status NOT IN ('resolved', 'escalated', 'failed') ORDER BY opened_at",
    );
    return r.rows.map((row) => Incident.parse(row.doc));
  }
}
