import type { Action, FaultKind, Finding, Risk } from "@autodevops/shared";

/** What the cluster says about one workload at diagnosis time (from the watch's latest objects). */
export interface WorkloadFacts {
  namespace: string;
  name: string;
  kind: "Deployment" | "StatefulSet" | "DaemonSet";
  /** The object's uid: a workload deleted and created again under its name is another object. */
  uid?: string;
  replicas: number;
  available: number;
  /** `deployment.kubernetes.io/revision` and the change-cause of the current revision. */
  revision?: number;
  changeCause?: string;
  /** When the current revision was created (its ReplicaSet's creationTimestamp). */
  revisionAt?: string;
  /** The revision before the current one, and whether it ever served (had replicas). */
  previousRevision?: number;
  previousRan?: boolean;
  /** Whether the previous revision ran without findings; undefined when nobody knows. */
  previousHealthy?: boolean;
  containers?: { name: string; memoryLimitBytes?: number; cpuLimitMilli?: number }[];
  /** Load for sizing a scale-up: request rate now and at baseline, per-pod CPU use over the limit (now and at baseline), throttled share. */
  load?: { requestRate?: number; baselineRequestRate?: number; cpuRatio?: number; baselineCpuRatio?: number; throttledShare?: number };
  /** The highest working set seen by any source (logs report it past the limit, cAdvisor stops at it). */
  memoryPeakBytes?: number;
}

/** A pod on a node, for finding the pod that eats a node's memory. */
export interface NodePodFacts {
  namespace: string;
  name: string;
  workload?: string;
  workloadKind?: "Deployment" | "StatefulSet" | "DaemonSet";
  memoryLimitBytes?: number;
  workingSetBytes?: number;
}

/** Everything a playbook may look at besides the findings; all of it optional. */
export interface PlaybookContext {
  cluster: string;
  now: Date;
  workloads?: readonly WorkloadFacts[];
  /** The service call graph: `namespace/name` → what it calls (`namespace/name`). */
  calls?: Readonly<Record<string, readonly string[]>>;
  /** Recent changes to cluster objects (watch or mutation log), newest last. */
  changes?: readonly { kind: string; namespace: string; name: string; at: string; by?: string; /** For a NetworkPolicy: the workload its podSelector matches. */ selects?: string }[];
  /** Slow calls out of the cluster seen in traces (or logs): `workload` → `peer`. */
  slowCalls?: readonly { namespace: string; workload: string; peer: string; p99Ms: number }[];
  nodes?: readonly { name: string; pods: readonly NodePodFacts[] }[];
  /** How recent a revision must be to be suspected (wall ms); default 30 min. */
  rolloutWindowMs?: number;
}

/** A root cause a playbook is sure enough of to name, with what confirmed it. */
export interface Diagnosis {
  /** A fault kind; `unknown` only for a person's change request, which no playbook diagnosed. */
  kind: FaultKind | "unknown";
  /** 0..1, from how much of the kind's evidence is present and how much rules it out. */
  confidence: number;
  cluster: string;
  namespace: string;
  workload?: string;
  node?: string;
  summary: string;
  evidence: string[];
  /** Look-alikes this diagnosis was preferred over, and why. */
  ruledOut: string[];
  /** What the candidates need: the pods at fault, the sizes seen, where to go back to. */
  details: {
    workloadKind?: "Deployment" | "StatefulSet" | "DaemonSet";
    pods?: string[];
    container?: string;
    workingSetBytes?: number;
    limitBytes?: number;
    pinnedAtLimit?: boolean;
    replicas?: number;
    previousReplicas?: number;
    /** Request rate over its baseline, when a spike was measured. */
    rateRatio?: number;
    toRevision?: number;
    culprit?: { namespace: string; workload: string; workloadKind: "Deployment" | "StatefulSet" };
    cordoned?: boolean;
  };
}

/** One action a playbook would take, with its risk and the reason in words. */
export interface Candidate {
  action: Action;
  risk: Risk;
  why: string;
}

/** What to do about a diagnosis: act (candidates best first), escalate to people, or nothing at all. */
export type Plan =
  | { route: "act"; candidates: Candidate[] }
  | { route: "escalate"; reason: string; nextStep: string }
  | { route: "none"; reason: string };

export interface Playbook {
  kind: FaultKind;
  diagnose(findings: readonly Finding[], ctx: PlaybookContext): Diagnosis | undefined;
  candidates(d: Diagnosis, ctx: PlaybookContext): Plan;
}
