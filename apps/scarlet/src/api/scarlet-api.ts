import type { ChangeRequest, ChangeRequestResult } from "../runtime/change-requests.js";
import type { AlertmanagerWebhook, Approval, ApprovalDecision, ApprovalStatus, Incident, IncidentStatus, Result } from "@autodevops/shared";

/** Why a decision on an approval was refused; the HTTP layer maps `not_found` to 404 and the others to 409. */
export type DecideError = { code: "not_found" | "already_decided" | "expired"; message: string };

/** What Scarlet's runtime offers its HTTP API; the server validates input before any call reaches it. */
export interface ScarletApi {
  listIncidents(q: { status?: IncidentStatus; since?: Date }): Promise<Incident[]>;
  getIncident(id: string): Promise<Incident | undefined>;
  listApprovals(q: { status?: ApprovalStatus }): Promise<Approval[]>;
  /** `approver` is the user the bearer token belongs to, never the token. */
  decideApproval(id: string, decision: ApprovalDecision, approver: string): Promise<Result<Approval, DecideError>>;
  /** A person's change request (from Jamie): judged by the policy, and never run without an approver's yes. */
  propose(request: ChangeRequest): Promise<ChangeRequestResult>;
  /** One validated Alertmanager notification; repeated notifications are the runtime's to deduplicate. */
  ingestAlerts(payload: AlertmanagerWebhook): Promise<{ accepted: number; duplicates: number }>;
  readiness(): { ready: boolean; checks: Record<string, boolean> };
}
