import type { ChangeRequest, ChangeRequestResult } from "../runtime/change-requests.js";
import type { AlertmanagerWebhook, Approval, ApprovalDecision, ApprovalStatus, Incident, IncidentStatus, Result } from "@autodevops/shared";

/** Why a decision on an approval was refused; the HTTP layer maps `not_found` to 404 and the others to 409. */
/** `merge_required`: the change is a GitOps pull request, approved only by merging it (a rejection is taken anywhere). */
export type DecideError = { code: "not_found" | "already_decided" | "expired" | "merge_required"; message: string };

/**
 * Why a change request was not taken. `not_leader`: with several replicas, only the leader of the
 * action's cluster takes it; the HTTP layer answers 503 with `Retry-After`, so the caller asks again
 * (a Service routes the next connection to any replica).
 */
export type ProposeError = { code: "not_leader"; cluster: string; message: string };

/** What Scarlet's runtime offers its HTTP API; the server validates input before any call reaches it. */
export interface ScarletApi {
  listIncidents(q: { status?: IncidentStatus; since?: Date }): Promise<Incident[]>;
  getIncident(id: string): Promise<Incident | undefined>;
  listApprovals(q: { status?: ApprovalStatus }): Promise<Approval[]>;
  /** `approver` is the user the bearer token belongs to, never the token. */
  /** `via`: the decision is a GitOps pull request's merge or close (Scarlet's own watch; never from HTTP). */
  decideApproval(id: string, decision: ApprovalDecision, approver: string, via?: { pullRequest: string }): Promise<Result<Approval, DecideError>>;
  /** A person's change request (from Jamie): judged by the policy, and never run without an approver's yes. */
  propose(request: ChangeRequest): Promise<Result<ChangeRequestResult, ProposeError>>;
  /** One validated Alertmanager notification; repeated notifications are the runtime's to deduplicate. */
  ingestAlerts(payload: AlertmanagerWebhook): Promise<{ accepted: number; duplicates: number }>;
  readiness(): { ready: boolean; checks: Record<string, boolean> };
}
