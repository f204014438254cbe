import type { KeyObject } from "node:crypto";
import type { Approval, Result } from "@autodevops/shared";
import { Action, canonicalJson, err, ok, signDecision } from "@autodevops/shared";
import type { Judgement } from "./guardrails.js";

/** A token lives long enough for the act node to call the tool at once, not to be kept. */
export const DECISION_TOKEN_TTL_SECONDS = 120;

export type SignRefusal = {
  code: "dry_run" | "not_allowed" | "approval_required" | "approval_not_approved" | "approval_expired" | "approval_mismatch";
  message: string;
};

/** What `authorize` needs besides the judgement; the id and the clock come from the caller. */
export interface SignInput {
  incidentId: string;
  /** The decided approval, for a judgement routed to approval. */
  approval?: Approval;
  privateKey: string | KeyObject;
  now: Date;
  /** The decision token's id (unique; a verifier refuses its second use). */
  id: string;
  ttlSeconds?: number;
}

/**
 * Mints the policy decision token for an `auto` judgement, or for an `approval` one that a
 * human approved in time. The only place in Scarlet that signs: judge again right before
 * calling this (a freeze or another action may have begun while the approval was pending).
 */
export function authorize(judgement: Judgement, input: SignInput): Result<string, SignRefusal> {
  const { action } = judgement;
  if (judgement.dryRun) return err({ code: "dry_run", message: "dry-run mode: nothing is executed, so nothing is signed" });
  if (!action || (judgement.route !== "auto" && judgement.route !== "approval")) {
    return err({ code: "not_allowed", message: `route ${judgement.route} allows no action` });
  }
  const claims = { id: input.id, action, incidentId: input.incidentId };
  const opts = { now: input.now, ttlSeconds: input.ttlSeconds ?? DECISION_TOKEN_TTL_SECONDS };
  if (judgement.route === "auto") return ok(signDecision(input.privateKey, { ...claims, route: "auto" }, opts));

  const a = input.approval;
  if (!a) return err({ code: "approval_required", message: "route approval needs a human's approval" });
  if (a.status !== "approved" || !a.decidedBy) return err({ code: "approval_not_approved", message: `approval ${a.id} is ${a.status}` });
  // Decided in time counts even when Scarlet was down then; decided late never does.
  if (!a.decidedAt || Date.parse(a.decidedAt) > Date.parse(a.expiresAt)) {
    return err({ code: "approval_expired", message: `approval ${a.id} was not decided before ${a.expiresAt}` });
  }
  const approved = Action.safeParse(a.action);
  if (a.incidentId !== input.incidentId || !approved.success || canonicalJson(approved.data) !== canonicalJson(action)) {
    return err({ code: "approval_mismatch", message: `approval ${a.id} is for another incident or action` });
  }
  return ok(signDecision(input.privateKey, { ...claims, route: "approval", approvedBy: a.decidedBy }, opts));
}
