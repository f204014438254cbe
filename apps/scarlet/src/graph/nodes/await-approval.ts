import { interrupt } from "@langchain/langgraph";
import type { Approval } from "@autodevops/shared";
import type { GraphDeps } from "../deps.js";
import { dryRunOf, syncActions } from "../execute-action.js";
import type { ScarletStateType, ScarletUpdate } from "../state.js";

export const approvalIdOf = (incidentId: string, attempt: number) => `apr-${incidentId}-${attempt}`;
export const actionIdOf = (incidentId: string, attempt: number) => `act-${incidentId}-${attempt}`;

/**
 * Asks a human. The request is stored and announced, then the graph stops here (`interrupt`)
 * until `POST /api/approvals/{id}` or the expiry sweep resumes the thread. The node runs again
 * from the top on resume, so every write before the interrupt is idempotent (fixed ids).
 * The stored approval, not the resume value, says what was decided.
 */
export function awaitApprovalNode(deps: GraphDeps) {
  return async (s: ScarletStateType): Promise<ScarletUpdate> => {
    const j = s.judgement;
    if (!j?.action) return { escalation: { why: "no action to approve", nextStep: "investigate" } };
    const id = approvalIdOf(s.incidentId, s.attempt);
    const actionId = actionIdOf(s.incidentId, s.attempt);
    const now = deps.now();
    const before = await deps.approvals.get(id);
    const asked = before ? undefined : await ask(deps, s, id, now);
    const approval = before ?? (await deps.approvals.request(asked!));
    if (!before) {
      await deps.actions.propose(actionId, s.incidentId, j.action, "scarlet", now);
      await deps.audit.append({
        actor: "scarlet",
        type: "approval.requested",
        incidentId: s.incidentId,
        cluster: j.action.cluster,
        namespace: j.action.namespace,
        data: { approvalId: id, action: j.action, risk: j.risk, expiresAt: approval.expiresAt, ...(approval.pullRequest ? { pullRequest: approval.pullRequest.url } : {}) },
      });
      await deps.desk.update(s.incidentId, (i) => {
        i.status = "awaiting_approval";
      });
      await syncActions(deps, s.incidentId);
      await deps.bus?.publish("approval.requested", { approvalId: id, incidentId: s.incidentId }).catch(() => undefined);
    }
    if (approval.status === "pending") interrupt({ approvalId: id, incidentId: s.incidentId });

    const decided = (await deps.approvals.get(id)) ?? approval;
    // Resumed before anyone decided (a second resume, a race with the sweep): that is no decision,
    // least of all an expiry. Wait again, in a fresh step so the thread shows it waits here.
    if (decided.status === "pending") return { approvalId: id, approvalStatus: "pending" };
    if (decided.status === "approved") {
      await deps.actions.transition(actionId, ["proposed"], "approved", { by: decided.decidedBy ?? "approver" });
      return { approvalId: id, approvalStatus: "approved" };
    }
    const status = decided.status === "rejected" ? "rejected" : "expired";
    await deps.actions.transition(actionId, ["proposed"], status === "rejected" ? "rejected" : "skipped", { detail: `approval ${status}` });
    await syncActions(deps, s.incidentId);
    const why = status === "rejected" ? `${decided.decidedBy ?? "an approver"} rejected ${j.action.kind} on ${j.action.target}${decided.reason ? `: ${decided.reason}` : ""}` : `nobody decided on ${j.action.kind} on ${j.action.target} before ${decided.expiresAt}`;
    return { approvalId: id, approvalStatus: status, escalation: { why, nextStep: "a person decides what to do; Scarlet changes nothing on this incident" } };
  };
}

/**
 * The request as stored: what an approver needs in one place (what is wrong, the evidence, the
 * policy's reasons, the dry run). For a GitOps-managed target it is a pull request against the
 * manifests; when none can be opened, the request says why and approving it patches the live object.
 */
async function ask(deps: GraphDeps, s: ScarletStateType, id: string, now: Date): Promise<Omit<Approval, "status" | "decidedBy" | "decidedAt" | "reason">> {
  const j = s.judgement!;
  const action = j.action!;
  const reasons = [...(s.diagnosis ? [`${s.diagnosis.kind}: ${s.diagnosis.summary}`, ...s.diagnosis.evidence.slice(0, 4)] : []), ...j.reasons];
  const request = { id, incidentId: s.incidentId, action, risk: j.risk, reasons, preview: await dryRunOf(deps, action), requestedAt: now.toISOString(), expiresAt: j.approvalExpiresAt ?? new Date(now.getTime() + deps.policy.settings.approvalTtlSeconds * 1000).toISOString() };
  if (!deps.gitops?.manages(action)) return request;
  const where = { incidentId: s.incidentId, cluster: action.cluster, namespace: action.namespace, target: `${action.cluster}/${action.namespace}/${action.target}` };
  const pr = await deps.gitops.propose({
    approval: request,
    action,
    risk: j.risk,
    confidence: s.confidence,
    diagnosis: s.diagnosis ? { kind: s.diagnosis.kind, summary: s.diagnosis.summary, evidence: s.diagnosis.evidence } : null,
    ...(s.request ? { requestedBy: s.request.requestedBy } : {}),
  });
  if (!pr.ok) {
    await deps.audit.append({ actor: "scarlet", type: "pull_request.failed", ...where, data: { approvalId: id, action, error: pr.error } });
    return { ...request, reasons: [...reasons, `GitOps: no pull request could be opened (${pr.error}); approving patches the live object, and ArgoCD may put the manifest's state back at its next sync`] };
  }
  await deps.audit.append({ actor: "scarlet", type: "pull_request.opened", ...where, data: { approvalId: id, action, pullRequest: pr.value.url, number: pr.value.number, repo: pr.value.repo, path: pr.value.path } });
  return { ...request, pullRequest: pr.value, reasons: [...reasons, `GitOps: ${action.target} is managed from ${pr.value.repo}; merging pull request #${pr.value.number} (${pr.value.url}) is the approval`] };
}
