import { z } from "zod";
import { Action } from "./incident.js";
import { ApprovalDecisionValue, ApprovalStatus, Risk, Timestamp } from "./vocabulary.js";

/** A proposed action waiting for (or decided by) a human, as CONTRACTS.md section 5 lists it. */
export const Approval = z.object({
  id: z.string().min(1),
  incidentId: z.string().min(1),
  action: Action,
  risk: Risk,
  reasons: z.array(z.string()),
  requestedAt: Timestamp,
  expiresAt: Timestamp,
  status: ApprovalStatus.default("pending"),
  decidedBy: z.string().optional(),
  decidedAt: Timestamp.optional(),
  reason: z.string().optional(),
  /** The action's dry run when it was asked for: what it would change (a diff), for the approver. */
  preview: z.string().max(8000).optional(),
  /**
   * A change to a GitOps-managed workload is asked for as a pull request against the GitOps
   * repository: merging it is the approval, closing it the rejection.
   */
  pullRequest: z
    .object({
      repo: z.string().min(1),
      number: z.number().int().positive(),
      url: z.string().min(1),
      branch: z.string().min(1),
      /** The manifest the pull request edits. */
      path: z.string().min(1),
      /** What the cluster shows once it runs the merged change (Scarlet's own shape). */
      desired: z.record(z.string(), z.unknown()),
    })
    .optional(),
});
export type Approval = z.infer<typeof Approval>;

/** The body of `POST /api/approvals/{id}`. */
export const ApprovalDecision = z.strictObject({
  decision: ApprovalDecisionValue,
  reason: z.string().max(2000).optional(),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;
