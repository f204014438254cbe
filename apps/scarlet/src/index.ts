// The public surface of @autodevops/scarlet (each module adds its names as it lands).
// policy: pure rules, may this action run, and how (auto / approval / escalate)?
export {
  ANNOTATIONS,
  Annotations,
  Autonomy,
  DEFAULT_PROTECTED_NAMESPACES,
  PolicyContext,
  PolicyPlan,
  PolicySettings,
  TargetFacts,
  readAnnotations,
  type AnnotationReading,
} from "./policy/policy-inputs.js";
export {
  AUTO_MIN_CONFIDENCE,
  ESCALATE_BELOW_CONFIDENCE,
  KIND_RISK_FLOOR,
  riskFloor,
  routeByMatrix,
  type MatrixRoute,
  type MatrixVerdict,
} from "./policy/decision-matrix.js";
export { viewHistory, targetKey, fixFamily, type HistoryView } from "./policy/action-history.js";
export { blastRadius, type Blast } from "./policy/blast-radius.js";
export { judge, type Judgement, type LimitHit } from "./policy/guardrails.js";
export { toPolicyPlan, type PlaybookAnswer } from "./policy/from-playbook.js";
export { authorize, DECISION_TOKEN_TTL_SECONDS, type SignInput, type SignRefusal } from "./policy/sign.js";
