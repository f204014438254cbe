import type { Approval } from "@autodevops/shared";
import type { GraphDeps } from "./deps.js";
import type { ExecuteInput } from "./execute-action.js";
import type { Execution } from "./state.js";

/**
 * A merged GitOps pull request, carried to the cluster by ArgoCD: Scarlet sends nothing to the
 * cluster and needs no decision token (it changes nothing); it records the change as its action
 * (executing once merged, succeeded once the live object shows the merged manifest, failed at the
 * sync deadline) so the incident, the audit log and the verify step read it like any other action.
 */
export async function awaitGitOpsChange(deps: GraphDeps, input: ExecuteInput & { approval: Approval & { pullRequest: NonNullable<Approval["pullRequest"]> } }): Promise<Execution> {
  const { incidentId, actionId, action, approval } = input;
  const pr = approval.pullRequest;
  const gitops = deps.gitops;
  const where = { incidentId, cluster: action.cluster, namespace: action.namespace, target: `${action.cluster}/${action.namespace}/${action.target}` };
  const result = (ok: boolean, detail: string): Execution => ({ actionId, action, ok, detail, undo: null });
  if (!gitops) return result(false, `approval ${approval.id} is a pull request (${pr.url}) but the GitOps path is off (GITOPS_REPO unset): Scarlet will not patch the live object instead`);

  const existing = await deps.actions.get(actionId);
  if (existing && ["succeeded", "failed"].includes(existing.status)) return result(existing.status === "succeeded", `action ${actionId} was already ${existing.status}`);
  const by = `argocd (${pr.repo}#${pr.number} merged by ${approval.decidedBy ?? "someone"})`;
  // Resumed after a restart while waiting for the sync: waiting again is safe, nothing is sent.
  if (existing?.status !== "executing") {
    if (!(await deps.actions.transition(actionId, ["proposed", "approved"], "executing", { by, undo: null }))) return result(false, `action ${actionId} was taken by another run`);
    await deps.audit.append({ actor: "scarlet", type: "action.executing", ...where, data: { actionId, action, by, via: "gitops", pullRequest: pr.url } });
  }
  const synced = await gitops.awaitSync(action, pr);
  const executedAt = deps.now();
  if (!synced.ok) {
    await deps.actions.transition(actionId, ["executing"], "failed", { executedAt, detail: synced.detail });
    await deps.audit.append({ actor: "scarlet", type: "action.failed", ...where, data: { actionId, action, via: "gitops", pullRequest: pr.url, error: synced.detail } });
    await gitops.note(pr, `Scarlet: ${synced.detail}. The incident goes to people.`);
    return result(false, synced.detail);
  }
  await deps.actions.transition(actionId, ["executing"], "succeeded", { executedAt, detail: synced.detail });
  await deps.audit.append({ actor: "scarlet", type: "action.succeeded", ...where, data: { actionId, action, via: "gitops", pullRequest: pr.url, result: synced.detail } });
  await gitops.note(pr, `Scarlet: ${synced.detail}. Verifying ${action.target} now.`);
  return result(true, `${action.kind} on ${action.target} merged (${pr.url}) and synced`);
}

/** Tells the incident's pull request how it ended (verified healthy, or handed to people and why). */
export async function reportToPullRequest(deps: GraphDeps, approvalId: string | null, outcome: string): Promise<void> {
  if (!approvalId || !deps.gitops) return;
  const approval = await deps.approvals.get(approvalId);
  if (approval?.pullRequest && approval.status === "approved") await deps.gitops.note(approval.pullRequest, `Scarlet: ${outcome}`);
}
