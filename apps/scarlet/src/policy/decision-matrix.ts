import type { Action, ActionKind, Risk } from "@autodevops/shared";

/**
 * The decision matrix of seed 001: high confidence and low risk act; medium asks a human; low
 * confidence or high risk escalates. The playbook states a risk; the matrix never rates an action
 * below the floor of its kind, so a playbook cannot make a drain look harmless.
 */

/** The route the matrix may give; `none` is the guardrails' (nothing is wrong). */
export type MatrixRoute = "auto" | "approval" | "escalate";

/**
 * At or above this, a low-risk fix runs alone. A playbook's evidence match alone tops out near
 * 0.9, so a fix needs a clean match and a good track record for its signature to pass.
 */
export const AUTO_MIN_CONFIDENCE = 0.8;

/** Below this the diagnosis is closer to a guess than a finding: no one should be asked to approve a guess. */
export const ESCALATE_BELOW_CONFIDENCE = 0.5;

/** The lowest risk each action kind can carry, whatever the playbook says. */
export const KIND_RISK_FLOOR: Record<ActionKind, Risk> = {
  // One pod; its controller recreates it.
  "delete-pod": "low",
  // Rolling: new pods come up before old ones go (maxSurge).
  "rollout-restart": "low",
  // Changes the running version: a person should see it.
  rollback: "medium",
  // Changes the pod template (limits, requests) and rolls every pod.
  "set-resources": "medium",
  // Stops new pods landing there; takes nothing down.
  "cordon-node": "low",
  // Evicts every pod on the node.
  "drain-node": "medium",
  // Scaling up is low; scaling down is raised by `riskFloor`.
  scale: "low",
};

const RANK: Record<Risk, number> = { low: 0, medium: 1, high: 2 };

/** The higher of two risks. */
export const maxRisk = (a: Risk, b: Risk): Risk => (RANK[a] >= RANK[b] ? a : b);

/** The floor for this action: scaling down is medium (unknown direction too), to zero is high. */
export function riskFloor(action: Action): Risk {
  if (action.kind !== "scale") return KIND_RISK_FLOOR[action.kind];
  if (action.params.replicas === 0) return "high";
  if (action.params.from === undefined || action.params.replicas < action.params.from) return "medium";
  return "low";
}

/** A confidence outside 0..1 comes from a bug upstream: it is read as 0, never as sure. */
export const readConfidence = (c: number): number => (Number.isFinite(c) && c >= 0 && c <= 1 ? c : 0);

/** Where the matrix sends a candidate, the risk it used, and why. */
export interface MatrixVerdict {
  route: MatrixRoute;
  risk: Risk;
  reasons: string[];
}

/** Routes one candidate action by its risk and the confidence in the diagnosis. */
export function routeByMatrix(action: Action, playbookRisk: Risk, confidence: number): MatrixVerdict {
  const reasons: string[] = [];
  const floor = riskFloor(action);
  const risk = maxRisk(playbookRisk, floor);
  if (risk !== playbookRisk) reasons.push(`risk raised from ${playbookRisk} to ${risk}: the floor for ${action.kind}${action.kind === "scale" ? " in this direction" : ""}`);
  const c = readConfidence(confidence);
  if (c !== confidence) reasons.push(`confidence ${String(confidence)} is outside 0..1: read as ${c}`);
  const pct = `${Math.round(c * 100)} %`;
  if (risk === "high") return { route: "escalate", risk, reasons: [...reasons, `matrix: ${action.kind} is high risk: escalate`] };
  if (c < ESCALATE_BELOW_CONFIDENCE) {
    return { route: "escalate", risk, reasons: [...reasons, `matrix: confidence ${pct} is below ${ESCALATE_BELOW_CONFIDENCE * 100} %: escalate`] };
  }
  if (risk === "low" && c >= AUTO_MIN_CONFIDENCE) {
    return { route: "auto", risk, reasons: [...reasons, `matrix: low risk and confidence ${pct} (at least ${AUTO_MIN_CONFIDENCE * 100} %): act`] };
  }
  const why = risk === "medium" ? `${action.kind} is medium risk` : `confidence ${pct} is below ${AUTO_MIN_CONFIDENCE * 100} %`;
  return { route: "approval", risk, reasons: [...reasons, `matrix: ${why}: ask for approval`] };
}
