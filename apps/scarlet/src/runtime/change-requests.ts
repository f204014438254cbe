import { randomBytes } from "node:crypto";
import { Action, type Approval, type Incident } from "@autodevops/shared";
import { z } from "zod";
import type { Diagnosis, Plan } from "../playbooks/types.js";
import type { Desk } from "./incident-desk.js";
import type { IncidentRunner } from "./incident-runner.js";

/** `POST /api/proposals`: a change a person asked for (through Jamie), in the action vocabulary. */
export const ChangeRequest = z.strictObject({
  action: Action,
  reason: z.string().trim().min(1).max(2000),
  requestedBy: z.string().trim().min(1).max(200),
});
export type ChangeRequest = z.infer<typeof ChangeRequest>;

export interface ChangeRequestResult {
  incidentId: string;
  approvalId?: string;
  /** A GitOps-managed target: the pull request whose merge is the approval. */
  pullRequest?: string;
  route: string;
  reasons: string[];
}

const NODE_KINDS = new Set(["cordon-node", "drain-node"]);

/**
 * A person's change request as an incident of its own, run through the same graph as Scarlet's
 * fixes: the policy judges it (protected namespaces, annotations, rate limits, blast radius), and
 * it never runs without an approver's yes — its risk is at least medium, so the matrix asks a
 * human even when the policy would let the same action run alone for Scarlet. Resolves once the
 * run has asked for approval or escalated.
 */
export async function proposeChange(
  r: ChangeRequest,
  deps: { desk: Desk; runner: IncidentRunner; approvalsOf: (incidentId: string) => Promise<Approval[]>; now: () => Date },
): Promise<ChangeRequestResult> {
  const a = r.action;
  const at = deps.now().toISOString();
  const id = `chg-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  const onNode = NODE_KINDS.has(a.kind);
  const where = onNode ? `node ${a.target}` : `${a.namespace}/${a.target}`;
  const incident: Incident = {
    id,
    fingerprint: `request/${id}`,
    cluster: a.cluster,
    namespace: a.namespace,
    ...(onNode ? { node: a.target } : { workload: a.target }),
    title: `change request: ${a.kind} ${where} (asked by ${r.requestedBy})`,
    severity: "warning",
    status: "open",
    signals: [],
    rootCause: null,
    decision: null,
    actions: [],
    openedAt: at,
    updatedAt: at,
  };
  await deps.desk.register(incident);
  const diagnosis: Diagnosis = {
    kind: "unknown",
    confidence: 1,
    cluster: a.cluster,
    namespace: a.namespace,
    ...(onNode ? { node: a.target } : { workload: a.target }),
    summary: `${r.requestedBy} asked for ${a.kind} on ${where}`,
    evidence: [`requested by ${r.requestedBy}: ${r.reason}`],
    ruledOut: [],
    details: {},
  };
  const plan: Plan = { route: "act", candidates: [{ action: a, risk: "medium", why: `asked for by ${r.requestedBy}; a person's request runs only with an approver's yes` }] };
  await deps.runner.begin(id, { incidentId: id, request: { requestedBy: r.requestedBy, reason: r.reason }, diagnosis, plan, confidence: 1, learnedRate: 1 });
  const view = deps.desk.view(id);
  const approval = (await deps.approvalsOf(id))[0];
  return { incidentId: id, ...(approval ? { approvalId: approval.id } : {}), ...(approval?.pullRequest ? { pullRequest: approval.pullRequest.url } : {}), route: view?.decision?.route ?? "escalate", reasons: view?.decision?.reasons ?? [] };
}
