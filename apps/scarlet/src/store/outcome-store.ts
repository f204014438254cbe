import type pg from "pg";

export type Outcome = "succeeded" | "failed" | "recurred";

/** What came of each playbook's fixes per signature; the learned success rate reads it. */
export class OutcomeStore {
  constructor(private readonly pool: pg.Pool) {}

  async record(o: { playbook: string; signature: string; actionKind?: string; outcome: Outcome; incidentId: string; at: Date }): Promise<void> {
    await this.pool.query("INSERT INTO scarlet_outcomes (playbook, signature, action_kind, outcome, incident_id, at) VALUES ($1, $2, $3, $4, $5, $6)", [
      o.playbook,
      o.signature,
      o.actionKind ?? null,
      o.outcome,
      o.incidentId,
      o.at.toISOString(),
    ]);
  }

  /** Counts per outcome for a playbook and signature within the window. */
  async tally(playbook: string, signature: string, sinceMs: number, now: Date): Promise<Record<Outcome, number>> {
    const r = await this.pool.query<{ outcome: Outcome; n: string }>(
      "SELECT outcome, count(*) n FROM scarlet_outcomes WHERE playbook = $1 AND signature = $2 AND at > $3 GROUP BY outcome",
      [playbook, signature, new Date(now.getTime() - sinceMs).toISOString()],
    );
    const t: Record<Outcome, number> = { succeeded: 0, failed: 0, recurred: 0 };
    for (const row of r.rows) t[row.outcome] = Number(row.n);
    return t;
  }
}
