// A hand-built incident history for the operations report's tests: audit events written through
// the real PgAuditStore, root causes and signals through Scarlet's real IncidentStore.
import { IncidentStore, openScarletDatabase } from "@autodevops/scarlet";
import { PgAuditStore, type AuditEvent, type Logger, type NewAuditEvent, type RootCauseKind } from "@autodevops/shared";
import { sampleIncident } from "../scarlet/testing/scarlet-stand-in.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FUTURE = "2099-01-01T00:00:00.000Z";
const PAST = "2000-01-01T00:00:00.000Z";
const restart = (target: string) => ({ kind: "rollout-restart", cluster: "prod", namespace: "shop", target, params: { workloadKind: "Deployment" } });

/** `iso` moved by `ms`, keeping its microseconds, so a difference computed by Postgres is exact. */
export function shiftIso(iso: string, ms: number): string {
  const micros = /\.\d{3}(\d{3})Z$/.exec(iso)?.[1] ?? "";
  return new Date(Date.parse(iso) + ms).toISOString().replace(/Z$/, `${micros}Z`);
}

/** The incidents of the history: their root-cause kind (none: no Scarlet record) and how long before opening their first signal came. */
export const HISTORY_INCIDENTS = {
  "inc-auto": { kind: "crashloop", signalSecondsBefore: 30 },
  "inc-approved": { kind: "image-pull", signalSecondsBefore: 90 },
  "inc-rejected": { kind: "oom", signalSecondsBefore: 10 },
  "inc-expired": { kind: "bad-rollout", signalSecondsBefore: 60 },
  "inc-failed": { kind: "crashloop", signalSecondsBefore: 20 },
  "inc-undone": { kind: "memory-leak", signalSecondsBefore: 40 },
  "inc-waiting": { kind: "traffic-spike", signalSecondsBefore: 120 },
  "inc-noise": { kind: undefined, signalSecondsBefore: undefined },
} satisfies Record<string, { kind: RootCauseKind | undefined; signalSecondsBefore: number | undefined }>;
export type HistoryIncident = keyof typeof HISTORY_INCIDENTS;

export interface ReportHistory {
  /** Inside the history: an incident opened before `from` and one after `to` lie outside it. */
  from: Date;
  to: Date;
  /** Every event written, by `incidentId type` (and `approvalId` for approval events). */
  events: Map<string, AuditEvent>;
}

/**
 * Writes: an auto-fixed incident, one fixed after approval, one rejected and escalated, one whose
 * approval expired, one whose action failed, one whose fix was undone, one still waiting for an
 * approval (beside a request past its expiry that nobody closed), one closed as noise with no
 * Scarlet record, plus one incident before the range and one after it.
 */
export async function writeReportHistory(databaseUrl: string, log: Logger): Promise<ReportHistory> {
  const pool = await openScarletDatabase(databaseUrl, log);
  const audit = new PgAuditStore(databaseUrl, log);
  const records = new IncidentStore(pool);
  const events = new Map<string, AuditEvent>();
  const append = async (incidentId: string, type: NewAuditEvent["type"], data: Record<string, unknown> = {}) => {
    const r = await audit.append({ actor: type === "approval.decided" ? "user:approver" : "scarlet", type, incidentId, cluster: "prod", namespace: "shop", data: data as NewAuditEvent["data"] });
    if (!r.ok) throw new Error(`audit append failed: ${r.error.message}`);
    const approvalId = typeof data.approvalId === "string" ? ` ${data.approvalId}` : "";
    events.set(`${incidentId} ${type}${approvalId}`, r.value);
    return r.value;
  };
  const open = async (id: string) => {
    const opened = await append(id, "incident.opened", { fingerprint: `fp-${id}` });
    const spec = (HISTORY_INCIDENTS as Record<string, { kind: RootCauseKind | undefined; signalSecondsBefore: number | undefined }>)[id];
    if (spec?.kind !== undefined && spec.signalSecondsBefore !== undefined) {
      const base = sampleIncident();
      await records.save({
        ...base,
        id,
        fingerprint: `fp-${id}`,
        rootCause: base.rootCause && { ...base.rootCause, kind: spec.kind },
        signals: [
          { source: "watch", name: "first", at: shiftIso(opened.at, -spec.signalSecondsBefore * 1000) },
          { source: "alertmanager", name: "later", at: shiftIso(opened.at, 5_000) },
        ],
        openedAt: opened.at,
        updatedAt: opened.at,
      });
    }
    return opened;
  };
  /** An approval request on incident `inc-x` (approval `apr-x`), decided or expired `waitMs` later. */
  const askThenClose = async (id: string, target: string, waitMs: number, close: "approval.decided" | "approval.expired", data: Record<string, unknown>) => {
    const approvalId = id.replace(/^inc-/, "apr-");
    await append(id, "approval.requested", { approvalId, action: restart(target), expiresAt: FUTURE });
    await sleep(waitMs);
    await append(id, close, { approvalId, ...data });
  };
  /** A restart on incident `inc-x` (action `act-x`) that verifies healthy `waitMs` later. */
  const fixAndVerify = async (id: string, target: string, by: string, waitMs: number) => {
    const actionId = id.replace(/^inc-/, "act-");
    await append(id, "action.executing", { actionId, action: restart(target), by });
    await append(id, "action.succeeded", { actionId, action: restart(target) });
    await sleep(waitMs);
    await append(id, "verification.passed", { actionId });
    await append(id, "incident.resolved", {});
  };
  try {
    await open("inc-before");
    await sleep(20);
    const from = new Date();
    await sleep(20);

    await open("inc-auto");
    await append("inc-auto", "decision.made", { route: "auto", action: restart("cart") });
    await fixAndVerify("inc-auto", "cart", "scarlet", 30);

    await open("inc-approved");
    await askThenClose("inc-approved", "catalog", 40, "approval.decided", { decision: "approve", reason: null });
    await fixAndVerify("inc-approved", "catalog", "user:approver", 60);

    await open("inc-rejected");
    await askThenClose("inc-rejected", "payments", 10, "approval.decided", { decision: "reject", reason: "not during the sale" });
    await append("inc-rejected", "incident.escalated", { summary: "rejected" });

    await open("inc-expired");
    await askThenClose("inc-expired", "frontend", 80, "approval.expired", { expiresAt: FUTURE });
    await append("inc-expired", "incident.escalated", { summary: "nobody decided" });

    await open("inc-failed");
    await append("inc-failed", "action.executing", { actionId: "act-failed", action: restart("checkout"), by: "scarlet" });
    await append("inc-failed", "action.failed", { actionId: "act-failed", action: restart("checkout"), error: "forbidden: patch deployments" });
    await append("inc-failed", "incident.escalated", { summary: "the action failed" });

    await open("inc-undone");
    await append("inc-undone", "action.executing", { actionId: "act-undone", action: restart("redis-cart"), by: "scarlet" });
    await append("inc-undone", "action.succeeded", { actionId: "act-undone", action: restart("redis-cart") });
    await append("inc-undone", "verification.failed", { actionId: "act-undone", worse: true });
    const rollback = { kind: "rollback", cluster: "prod", namespace: "shop", target: "redis-cart", params: {} };
    await append("inc-undone", "action.executing", { actionId: "act-undone-undo", action: rollback, by: "scarlet" });
    await append("inc-undone", "action.succeeded", { actionId: "act-undone-undo", action: rollback });
    await append("inc-undone", "action.undone", { actionId: "act-undone", undo: rollback });
    await append("inc-undone", "incident.escalated", { summary: "worse after the restart; undone" });

    await open("inc-waiting");
    await append("inc-waiting", "approval.requested", { approvalId: "apr-stale", action: restart("frontend"), expiresAt: PAST });
    await append("inc-waiting", "approval.requested", { approvalId: "apr-waiting", action: restart("frontend"), expiresAt: FUTURE });

    await open("inc-noise");
    await append("inc-noise", "incident.resolved", { reason: "no signal for 300 s" });

    await sleep(20);
    const to = new Date();
    await sleep(20);
    await open("inc-after");
    return { from, to, events };
  } finally {
    await audit.close();
    await pool.end();
  }
}
