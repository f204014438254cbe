import type { GraphDeps } from "../deps.js";
import { executeAction, syncActions } from "../execute-action.js";
import { awaitGitOpsChange } from "../gitops-change.js";
import type { ScarletStateType, ScarletUpdate } from "../state.js";
import { actionIdOf } from "./await-approval.js";

/** Runs the decided action through the MCP write tool, with the policy's decision token attached. */
export function actNode(deps: GraphDeps) {
  return async (s: ScarletStateType): Promise<ScarletUpdate> => {
    const j = s.judgement;
    const d = s.diagnosis;
    if (!j?.action || !d) return { escalation: { why: "no action was decided", nextStep: "investigate" } };
    const approval = s.approvalId ? await deps.approvals.get(s.approvalId) : undefined;
    await deps.desk.update(s.incidentId, (i) => {
      i.status = "acting";
    });
    const onWorkload = j.action.kind !== "cordon-node" && j.action.kind !== "drain-node";
    const readyBefore = onWorkload ? deps.live.health(j.action.cluster, j.action.namespace, j.action.target)?.ready : undefined;
    const before = onWorkload ? deps.live.playbookContext(j.action.cluster, deps.now()).workloads?.find((w) => w.namespace === j.action?.namespace && w.name === j.action?.target) : undefined;
    const input = { incidentId: s.incidentId, actionId: actionIdOf(s.incidentId, s.attempt), action: j.action, faultKind: d.kind, risk: j.risk, confidence: s.confidence };
    // A merged pull request: ArgoCD applies it; Scarlet waits for the cluster to show it.
    const execution = approval?.pullRequest ? await awaitGitOpsChange(deps, { ...input, approval: { ...approval, pullRequest: approval.pullRequest } }) : await executeAction(deps, { ...input, ...(approval ? { approval } : {}) });
    await syncActions(deps, s.incidentId);
    if (!execution.ok) return { execution, escalation: { why: `${j.action.kind} on ${j.action.target} did not run: ${execution.detail}`, nextStep: "a person looks at the evidence and decides" } };
    await deps.desk.update(s.incidentId, (i) => {
      i.status = "verifying";
    });
    return { execution: { ...execution, ...(readyBefore !== undefined ? { readyBefore } : {}), ...(before?.revision !== undefined ? { revisionBefore: before.revision } : {}), ...(before?.uid !== undefined ? { uidBefore: before.uid } : {}) } };
  };
}
