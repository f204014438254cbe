import { randomUUID } from "node:crypto";
import type { Action, Approval, Risk, RootCauseKind } from "@autodevops/shared";
import { judge } from "../policy/guardrails.js";
import { authorize } from "../policy/sign.js";
import type { GraphDeps } from "./deps.js";
import { policyContextFor } from "./policy-context.js";
import type { Execution } from "./state.js";

/** The MCP write tool for an action kind: our kubernetes server names them so. */
export const toolOf = (a: Action): string => a.kind.replace(/-/g, "_");

/** The action's dry run through its write tool (no decision token needed: nothing changes), or why there is none. */
export async function dryRunOf(deps: Pick<GraphDeps, "tools">, a: Action): Promise<string> {
  const preview = await deps.tools.call(toolOf(a), { cluster: a.cluster, namespace: a.namespace, target: a.target, params: a.params, dryRun: true });
  return preview.ok ? preview.value.text.slice(0, 8000) : `no dry run: ${preview.error.message}`;
}

const Mi = 2 ** 20;

/** How to take an action back, read from the live state before it runs; null when nothing can (a restart, a delete). */
export function undoOf(deps: GraphDeps, a: Action): Action | null {
  const base = { cluster: a.cluster, namespace: a.namespace, target: a.target };
  const w = deps.live.playbookContext(a.cluster, deps.now()).workloads?.find((x) => x.namespace === a.namespace && x.name === a.target);
  switch (a.kind) {
    case "scale": {
      const from = a.params.from ?? w?.replicas;
      return from === undefined ? null : { ...base, kind: "scale", params: { replicas: from, from: a.params.replicas, workloadKind: a.params.workloadKind } };
    }
    case "set-resources": {
      const c = w?.containers?.find((x) => x.name === a.params.container) ?? w?.containers?.[0];
      if (!c?.memoryLimitBytes && !c?.cpuLimitMilli) return null;
      const limits = { ...(c.memoryLimitBytes ? { memory: `${Math.round(c.memoryLimitBytes / Mi)}Mi` } : {}), ...(c.cpuLimitMilli ? { cpu: `${c.cpuLimitMilli}m` } : {}) };
      return { ...base, kind: "set-resources", params: { container: c.name, limits } };
    }
    case "rollback":
      return w?.revision === undefined ? null : { ...base, kind: "rollback", params: { toRevision: w.revision } };
    default:
      return null;
  }
}

export type ExecuteInput = {
  incidentId: string;
  actionId: string;
  action: Action;
  faultKind: RootCauseKind;
  risk: Risk;
  confidence: number;
  /** The human's approval, when the action was routed to one. */
  approval?: Approval;
  /**
   * Puts back what Scarlet's own action changed, after it left the target worse. It restores a
   * state the target had minutes ago, so the matrix's risk floor alone does not hold it for a
   * human; every other rule (autonomy, freeze, protected namespace, budgets, limits) still does.
   */
  restoring?: boolean;
};

/**
 * Carries out one action, once: judged again right before (a freeze or another action may have
 * begun while an approval was pending), signed by the policy layer, moved to `executing` with a
 * compare-and-set (a second run finds it taken and does nothing), then sent to the MCP write tool
 * with the decision token. In dry-run mode the tool previews the change and nothing runs.
 */
export async function executeAction(deps: GraphDeps, input: ExecuteInput): Promise<Execution> {
  const { incidentId, actionId, action } = input;
  const now = deps.now();
  const where = { incidentId, cluster: action.cluster, namespace: action.namespace, target: `${action.cluster}/${action.namespace}/${action.target}` };
  const result = (ok: boolean, detail: string, undo: Action | null = null): Execution => ({ actionId, action, ok, detail, undo });

  const existing = await deps.actions.get(actionId);
  if (existing && ["executing", "succeeded", "failed"].includes(existing.status)) {
    // A run that resumed after a crash: the action was sent (or may have been); never again.
    return result(existing.status !== "failed", `action ${actionId} was already ${existing.status}: not run again`, existing.undo ?? null);
  }
  if (!existing) await deps.actions.propose(actionId, incidentId, action, "scarlet", now);

  const ctx = await policyContextFor(deps, action);
  const j = judge({ incidentId, faultKind: input.faultKind, broken: true, action, risk: input.risk, confidence: input.confidence, actionId }, ctx, now);
  const restoring = input.restoring === true && j.route === "approval" && j.limitsHit.length === 0;
  const allowed = input.approval ? j.route === "auto" || j.route === "approval" : j.route === "auto" || restoring;
  if (!allowed) {
    await deps.actions.transition(actionId, ["proposed", "approved"], "skipped", { detail: `refused when judged again: ${j.reasons.join("; ")}` });
    await deps.audit.append({ actor: "scarlet", type: "policy.refused", ...where, data: { action, route: j.route, reasons: j.reasons, limitsHit: j.limitsHit } });
    return result(false, `refused when judged again (${j.route}): ${j.reasons[j.reasons.length - 1] ?? ""}`);
  }

  if (j.dryRun) {
    const preview = await deps.tools.call(toolOf(action), { cluster: action.cluster, namespace: action.namespace, target: action.target, params: action.params, dryRun: true });
    const detail = preview.ok ? `dry-run mode: would run ${action.kind} on ${action.target}\n${preview.value.text.slice(0, 4000)}` : `dry-run preview failed: ${preview.error.message}`;
    await deps.actions.transition(actionId, ["proposed", "approved"], "skipped", { detail });
    await deps.audit.append({ actor: "scarlet", type: "action.skipped", ...where, data: { action, reason: "dry-run mode", preview: preview.ok ? preview.value.text.slice(0, 4000) : null } });
    return result(false, detail);
  }

  const token = authorize({ ...j, route: input.approval ? "approval" : "auto" }, { incidentId, ...(input.approval ? { approval: input.approval } : {}), privateKey: deps.policy.privateKey, now, id: randomUUID() });
  if (!token.ok) {
    await deps.actions.transition(actionId, ["proposed", "approved"], "skipped", { detail: token.error.message });
    await deps.audit.append({ actor: "scarlet", type: "policy.refused", ...where, data: { action, code: token.error.code, reason: token.error.message } });
    return result(false, token.error.message);
  }

  const undo = undoOf(deps, action);
  const by = input.approval?.decidedBy ? `scarlet (approved by ${input.approval.decidedBy})` : "scarlet";
  if (!(await deps.actions.transition(actionId, ["proposed", "approved"], "executing", { by, undo }))) {
    return result(true, `action ${actionId} was taken by another run: not run again`, undo);
  }
  await deps.audit.append({ actor: "scarlet", type: "action.executing", ...where, data: { actionId, action, by } });
  const call = await deps.tools.call(toolOf(action), { cluster: action.cluster, namespace: action.namespace, target: action.target, params: action.params }, { decision: token.value });
  const executedAt = deps.now();
  if (!call.ok) {
    await deps.actions.transition(actionId, ["executing"], "failed", { executedAt, detail: call.error.message });
    await deps.audit.append({ actor: "scarlet", type: "action.failed", ...where, data: { actionId, action, error: call.error.message } });
    return result(false, call.error.message, undo);
  }
  await deps.actions.transition(actionId, ["executing"], "succeeded", { executedAt, detail: call.value.text.slice(0, 4000) });
  await deps.audit.append({ actor: "scarlet", type: "action.succeeded", ...where, data: { actionId, action, undo, result: call.value.text.slice(0, 4000) } });
  return result(true, `${action.kind} on ${action.target} done`, undo);
}

/** Copies the incident's action records into its API view. */
export async function syncActions(deps: GraphDeps, incidentId: string): Promise<void> {
  const records = await deps.actions.ofIncident(incidentId);
  await deps.desk.update(incidentId, (i) => {
    i.actions = records.map(({ incidentId: _i, undo: _u, detail: _d, ...a }) => a);
  });
}
