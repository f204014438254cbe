import type { Action, Risk, RootCauseKind } from "@autodevops/shared";
import type { PolicyPlan } from "./policy-inputs.js";

/**
 * A playbook's answer as the policy reads it: the shape of the playbooks' `Plan`, minus its
 * words (`why`, `reason`, `nextStep`), which are for people and never reach a rule.
 */
export type PlaybookAnswer =
  | { route: "act"; candidates: readonly { action: Action; risk: Risk }[] }
  | { route: "escalate" }
  | { route: "none" };

/** The plan the judge reads for one candidate (best first) of a playbook's answer. */
export function toPolicyPlan(
  diagnosis: { incidentId: string; kind: RootCauseKind; confidence: number },
  answer: PlaybookAnswer,
  candidateIndex = 0,
): PolicyPlan {
  const base = { incidentId: diagnosis.incidentId, faultKind: diagnosis.kind, confidence: diagnosis.confidence };
  if (answer.route === "none") return { ...base, broken: false, action: null, risk: "low" };
  const candidate = answer.route === "act" ? answer.candidates[candidateIndex] : undefined;
  // With no candidate the risk is moot (the judge escalates); "high" keeps it from ever reading as safe.
  if (!candidate) return { ...base, broken: true, action: null, risk: "high" };
  return { ...base, broken: true, action: candidate.action, risk: candidate.risk };
}
