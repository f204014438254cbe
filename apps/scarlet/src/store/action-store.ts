import type pg from "pg";
import { Action, IncidentAction, type ActionStatus } from "@autodevops/shared";

/** An action's record, with how to undo it once it ran. */
export type ActionRecord = IncidentAction & { incidentId: string; undo?: Action | null; detail?: string };

type Row = {
  id: string;
  incident_id: string;
  action: unknown;
  status: string;
  requested_at: Date;
  executed_at: Date | null;
  by_whom: string;
  undo: unknown;
  detail: string | null;
};

const toRecord = (r: Row): ActionRecord => {
  const a = IncidentAction.parse({
    ...(r.action as object),
    id: r.id,
    status: r.status,
    requestedAt: r.requested_at.toISOString(),
    ...(r.executed_at ? { executedAt: r.executed_at.toISOString() } : {}),
    by: r.by_whom,
  });
  const undo = r.undo ? Action.safeParse(r.undo) : undefined;
  return { ...a, incidentId: r.incident_id, undo: undo?.success ? undo.data : null, ...(r.detail ? { detail: r.detail } : {}) };
};

/** Actions, written before they run: the guardrails' history and the exactly-once record. */
export class ActionStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Records a proposal; the same id again changes nothing. */
  async propose(id: string, incidentId: string, action: Action, by: string, at: Date): Promise<ActionRecord> {
    await this.pool.query(
      `INSERT INTO scarlet_actions (id, incident_id, action, status, requested_at, by_whom) VALUES ($1, $2, $3, 'proposed', $4, $5)
       ON CONFLICT (id) DO NOTHING`,
      [id, incidentId, JSON.stringify(action), at.toISOString(), by],
    );
    const rec = await this.get(id);
    if (!rec) throw new Error(`action ${id} vanished after insert`);
    return rec;
  }

  async get(id: string): Promise<ActionRecord | undefined> {
    const r = await this.pool.query<Row>("SELECT * FROM scarlet_actions WHERE id = $1", [id]);
    return r.rows[0] ? toRecord(r.rows[0]) : undefined;
  }

  /**
   * Moves an action from one of `from` to `to`; false when it was not in `from` (someone else moved
   * it first: the caller must not act). The compare-and-set is what makes execution happen once.
   */
  async transition(id: string, from: readonly ActionStatus[], to: ActionStatus, extra: { by?: string; executedAt?: Date; undo?: Action | null; detail?: string } = {}): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE scarlet_actions SET status = $3,
         by_whom = COALESCE($4, by_whom), executed_at = COALESCE($5, executed_at), undo = COALESCE($6, undo), detail = COALESCE($7, detail)
       WHERE id = $1 AND status = ANY($2::text[])`,
      [id, from, to, extra.by ?? null, extra.executedAt?.toISOString() ?? null, extra.undo ? JSON.stringify(extra.undo) : null, extra.detail ?? null],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async ofIncident(incidentId: string): Promise<ActionRecord[]> {
    const r = await this.pool.query<Row>("SELECT * FROM scarlet_actions WHERE incident_id = $1 ORDER BY requested_at", [incidentId]);
    return r.rows.map(toRecord);
  }

  /** Actions of the last `seconds` plus any still in flight: what the rate limits and budgets count. */
  async recent(seconds: number, now: Date): Promise<ActionRecord[]> {
    const r = await this.pool.query<Row>(
      `SELECT * FROM scarlet_actions WHERE requested_at > $1 OR status IN ('approved', 'executing') ORDER BY requested_at`,
      [new Date(now.getTime() - seconds * 1000).toISOString()],
    );
    return r.rows.map(toRecord);
  }
}
