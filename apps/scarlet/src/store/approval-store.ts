import type pg from "pg";
import { Approval, err, ok, type ApprovalDecision, type ApprovalStatus, type Result } from "@autodevops/shared";

export type DecideRefusal = { code: "not_found" | "already_decided" | "expired"; message: string };

type Row = {
  id: string;
  incident_id: string;
  action: unknown;
  risk: string;
  reasons: unknown;
  requested_at: Date;
  expires_at: Date;
  status: string;
  decided_by: string | null;
  decided_at: Date | null;
  reason: string | null;
  preview: string | null;
  pull_request: unknown;
};

const toApproval = (r: Row): Approval =>
  Approval.parse({
    id: r.id,
    incidentId: r.incident_id,
    action: r.action,
    risk: r.risk,
    reasons: r.reasons,
    requestedAt: r.requested_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    status: r.status,
    ...(r.decided_by ? { decidedBy: r.decided_by } : {}),
    ...(r.decided_at ? { decidedAt: r.decided_at.toISOString() } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.preview ? { preview: r.preview } : {}),
    ...(r.pull_request ? { pullRequest: r.pull_request } : {}),
  });

/** Approval requests. Deciding is a single conditional UPDATE, so only the first decision counts. */
export class ApprovalStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Stores a request; the same id again changes nothing (a graph node re-run after a restart). */
  async request(a: Omit<Approval, "status" | "decidedBy" | "decidedAt" | "reason">): Promise<Approval> {
    await this.pool.query(
      `INSERT INTO scarlet_approvals (id, incident_id, action, risk, reasons, requested_at, expires_at, preview, pull_request) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO NOTHING`,
      [a.id, a.incidentId, JSON.stringify(a.action), a.risk, JSON.stringify(a.reasons), a.requestedAt, a.expiresAt, a.preview ?? null, a.pullRequest ? JSON.stringify(a.pullRequest) : null],
    );
    const stored = await this.get(a.id);
    if (!stored) throw new Error(`approval ${a.id} vanished after insert`);
    return stored;
  }

  async get(id: string): Promise<Approval | undefined> {
    const r = await this.pool.query<Row>("SELECT * FROM scarlet_approvals WHERE id = $1", [id]);
    return r.rows[0] ? toApproval(r.rows[0]) : undefined;
  }

  async list(q: { status?: ApprovalStatus; incidentId?: string }): Promise<Approval[]> {
    const r = await this.pool.query<Row>(
      `SELECT * FROM scarlet_approvals WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR incident_id = $2)
       ORDER BY requested_at DESC LIMIT 500`,
      [q.status ?? null, q.incidentId ?? null],
    );
    return r.rows.map(toApproval);
  }

  /** Records a human's decision if the request is still pending and unexpired at `now`. */
  async decide(id: string, d: ApprovalDecision, by: string, now: Date): Promise<Result<Approval, DecideRefusal>> {
    const status = d.decision === "approve" ? "approved" : "rejected";
    const r = await this.pool.query<Row>(
      `UPDATE scarlet_approvals SET status = $2, decided_by = $3, decided_at = $4, reason = $5
       WHERE id = $1 AND status = 'pending' AND expires_at > $4 RETURNING *`,
      [id, status, by, now.toISOString(), d.reason ?? null],
    );
    if (r.rows[0]) return ok(toApproval(r.rows[0]));
    const current = await this.get(id);
    if (!current) return err({ code: "not_found", message: `no approval ${id}` });
    if (current.status === "pending") {
      await this.expireDue(now);
      return err({ code: "expired", message: `approval ${id} expired at ${current.expiresAt}` });
    }
    if (current.status === "expired") return err({ code: "expired", message: `approval ${id} expired at ${current.expiresAt}` });
    return err({ code: "already_decided", message: `approval ${id} was already ${current.status} by ${current.decidedBy ?? "someone"}` });
  }

  /** Withdraws an incident's pending requests (its trouble cleared before anyone decided); returns them. */
  async withdraw(incidentId: string): Promise<Approval[]> {
    const r = await this.pool.query<Row>(
      "UPDATE scarlet_approvals SET status = 'expired', reason = 'withdrawn: the trouble cleared before anyone decided' WHERE incident_id = $1 AND status = 'pending' RETURNING *",
      [incidentId],
    );
    return r.rows.map(toApproval);
  }

  /** Marks pending requests past their expiry as expired; returns them. */
  async expireDue(now: Date): Promise<Approval[]> {
    const r = await this.pool.query<Row>(
      "UPDATE scarlet_approvals SET status = 'expired' WHERE status = 'pending' AND expires_at <= $1 RETURNING *",
      [now.toISOString()],
    );
    return r.rows.map(toApproval);
  }
}
