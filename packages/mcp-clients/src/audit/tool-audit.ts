import { peekDecision, targetRef, type AuditStore, type DecisionClaims, type Logger, type NewAuditEvent } from "@autodevops/shared";
import type { Agent } from "../policy/tool-policy.js";
import { redactArgs } from "./redact-args.js";

export type ToolCallOutcome = "ok" | "error" | "refused";

/** What one tool call leaves in the audit log. */
export type ToolCallRecord = {
  agent: Agent;
  server: string;
  tool: string;
  /** The arguments as the caller gave them, without the decision token. */
  args: Record<string, unknown>;
  durationMs: number;
  outcome: ToolCallOutcome;
  error?: string;
  /** Why a refused call was refused (a policy reason code). */
  refusal?: string;
  cached?: boolean;
  attempts?: number;
  dryRun?: boolean;
  /** The verified decision the call carried. */
  decision?: DecisionClaims;
  /** A decision token that did not verify: only its claimed id is kept. */
  rejectedDecisionToken?: string;
};

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * The audit event of a call: `policy.refused` for a refusal, `tool.called` otherwise. The token
 * itself is never stored: a verified decision is kept as its id, route, incident and approver.
 */
export function toolCallEvent(r: ToolCallRecord): NewAuditEvent {
  const cluster = str(r.args.cluster);
  const namespace = str(r.args.namespace);
  const name = str(r.args.target) ?? str(r.args.name) ?? str(r.args.pod);
  const rejected = r.rejectedDecisionToken !== undefined ? peekDecision(r.rejectedDecisionToken) : undefined;
  const data: Record<string, unknown> = {
    server: r.server,
    tool: r.tool,
    args: redactArgs(r.args),
    durationMs: Math.round(r.durationMs * 100) / 100,
    outcome: r.outcome,
    ...(r.error !== undefined ? { error: r.error.slice(0, 2_000) } : {}),
    ...(r.refusal !== undefined ? { refusal: r.refusal } : {}),
    ...(r.cached !== undefined ? { cached: r.cached } : {}),
    ...(r.attempts !== undefined ? { attempts: r.attempts } : {}),
    ...(r.dryRun !== undefined ? { dryRun: r.dryRun } : {}),
    ...(r.decision ? { decision: { id: r.decision.id, route: r.decision.route, ...(r.decision.incidentId ? { incidentId: r.decision.incidentId } : {}), ...(r.decision.approvedBy ? { approvedBy: r.decision.approvedBy } : {}) } } : {}),
    ...(r.rejectedDecisionToken !== undefined ? { rejectedDecision: { claimedId: rejected?.id ?? null } } : {}),
  };
  return {
    actor: r.agent,
    type: r.outcome === "refused" ? "policy.refused" : "tool.called",
    ...(r.decision?.incidentId ? { incidentId: r.decision.incidentId } : {}),
    ...(cluster && name ? { target: targetRef({ cluster, namespace, name }) } : {}),
    ...(cluster ? { cluster } : {}),
    ...(namespace ? { namespace } : {}),
    data,
  };
}

/** Appends the record; a failure is logged with its context (the call's outcome stands). */
export async function auditToolCall(audit: Pick<AuditStore, "append">, log: Pick<Logger, "error">, r: ToolCallRecord): Promise<void> {
  const appended = await audit.append(toolCallEvent(r)).catch((e: unknown) => ({ ok: false as const, error: { code: "unavailable" as const, message: String(e) } }));
  if (!appended.ok) log.error({ agent: r.agent, server: r.server, tool: r.tool, outcome: r.outcome, err: appended.error.message }, "tool call audit failed");
}
