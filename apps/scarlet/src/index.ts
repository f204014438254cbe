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
// incidents: findings correlated into incidents; root cause over the call graph
export { IncidentBook, dedupKeys, type IncidentBookOptions, type IngestOutcome } from "./incidents/correlator.js";
export { fingerprint, fingerprintOf, familyOf, targetOf, workloadOf, workloadOfPod, FAMILY_OF_KIND, type FaultFamily, type Target } from "./incidents/fingerprint.js";
export { CallGraphConfig, ESTATE_CALL_GRAPH, buildCallGraph, callGraphFromWorkloads, serviceKey, type CallGraph } from "./incidents/call-graph.js";
export { localize, judgeRoot, KIND_SPECIFICITY, type Localization, type ServiceEvidence, type RootVerdict } from "./incidents/root-cause.js";
export { classify, blamedCallees, type FindingEvidence, type SymptomClass } from "./incidents/evidence.js";
// detectors: signal -> finding, pure, debounced on restart counts and durations
export { detect, observe } from "./detectors/index.js";
export { detectorSettings, clusterMs, type DetectorSettings } from "./detectors/settings.js";
export { emptyHistory, remember, prune, type History } from "./detectors/history.js";
export { emptyBaseline, updateBaseline, zScore, type Baseline } from "./detectors/baseline.js";
export { METRIC_CHECKS, observationKey, type Observation, type MetricCheck, type PodObject, type WorkloadObject, type NodeObject, type EventObject } from "./detectors/observations.js";
// playbooks: fault kind -> diagnosis and candidate actions with their risk
export { PLAYBOOKS, diagnose, planFor, toRootCause } from "./playbooks/index.js";
export { workloadFacts, quantity } from "./playbooks/facts.js";
export type { Candidate, Diagnosis, Plan, Playbook, PlaybookContext, WorkloadFacts, NodePodFacts } from "./playbooks/types.js";
// graph: the state machine per incident (LangGraph, checkpointed in Postgres)
export { buildScarletGraph, type ScarletGraph } from "./graph/build-graph.js";
export { ScarletState, type ScarletStateType, type Pause, type Verification, type Execution } from "./graph/state.js";
export type { GraphDeps, IncidentDesk, LiveFacts, VerifySettings, WorkloadHealth } from "./graph/deps.js";
export { executeAction, undoOf, toolOf } from "./graph/execute-action.js";
export { summarize } from "./graph/summary.js";
export { learnedRate, signatureOf } from "./graph/learning.js";
// runtime: signals to incidents to graph runs, the HTTP API, and the process around them
export { bootScarlet, type BootOptions, type BootedScarlet } from "./runtime/boot.js";
export { startScarlet, type ScarletOptions, type RunningScarlet } from "./runtime/scarlet.js";
export { createScarletServer, type ScarletServerOptions } from "./api/server.js";
export type { ScarletApi, DecideError } from "./api/scarlet-api.js";
// store: Scarlet's tables
export { openScarletDatabase, SCARLET_MIGRATIONS_DIR } from "./store/database.js";
export { IncidentStore } from "./store/incident-store.js";
export { ApprovalStore } from "./store/approval-store.js";
export { ActionStore, type ActionRecord } from "./store/action-store.js";
export { OutcomeStore } from "./store/outcome-store.js";
export { clustersFromKubeconfig, clustersFromSandbox, mcpConfigFor, type ClusterSetup } from "./runtime/clusters.js";
// monitor: reading the sandbox's /metrics without Prometheus (rates and the p99 from raw scrapes), for Jamie's incident charts
export { parseExposition, type ExpositionSample } from "./monitor/exposition.js";
export type { CounterReading } from "./monitor/counter-math.js";
export { readingsFromScrape, type ScrapedCluster } from "./monitor/sandbox-metrics-source.js";
