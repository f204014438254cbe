import { simMs } from "../sim-time.js";
import { fenceposts } from "./deployment-rollout.js";
import type { Deployment, DeploymentStatus, ReplicaSet, WorkloadCondition } from "./kube-shapes.js";

/** Reasons of the Progressing and Available conditions, as kubectl and people read them. */
export const REASON = {
  newRSCreated: "NewReplicaSetCreated",
  foundNewRS: "FoundNewReplicaSet",
  rsUpdated: "ReplicaSetUpdated",
  newRSAvailable: "NewReplicaSetAvailable",
  timedOut: "ProgressDeadlineExceeded",
  paused: "DeploymentPaused",
  resumed: "DeploymentResumed",
  minAvailable: "MinimumReplicasAvailable",
  minUnavailable: "MinimumReplicasUnavailable",
} as const;

export function deploymentCondition(status: DeploymentStatus | undefined, type: string): WorkloadCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * SetDeploymentCondition: a condition with the same status and reason is left as it is (message
 * and times included); a new status moves lastTransitionTime. The condition goes to the end.
 */
export function setDeploymentCondition(status: DeploymentStatus, next: WorkloadCondition): void {
  const current = deploymentCondition(status, next.type);
  if (current && current.status === next.status && current.reason === next.reason) return;
  const c = { ...next };
  if (current && current.status === next.status) c.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== next.type), c];
}

export function condition(type: string, status: WorkloadCondition["status"], reason: string, message: string, now: string): WorkloadCondition {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

const sum = (rss: ReplicaSet[], f: (r: ReplicaSet) => number) => rss.reduce((n, r) => n + f(r), 0);

export type StatusResult = {
  status: DeploymentStatus;
  /** When to look again because the progress deadline may pass (epoch ms). */
  deadlineAt?: number;
};

/**
 * The deployment's next status (calculateStatus and syncRolloutStatus): counts from its
 * ReplicaSets, Available from the minimum availability, Progressing from progress since the last
 * status, and ProgressDeadlineExceeded once progressDeadlineSeconds (compressed) pass without any.
 * `d.status` is the status so far, with any condition set earlier in this sync.
 */
export function nextDeploymentStatus(d: Deployment, newRS: ReplicaSet | undefined, all: ReplicaSet[], now: Date, nowText: string): StatusResult {
  const spec = d.spec ?? {};
  const replicas = spec.replicas ?? 1;
  const prev = d.status ?? {};
  const available = sum(all, (r) => r.status?.availableReplicas ?? 0);
  const status: DeploymentStatus = {
    ...prev,
    observedGeneration: d.metadata.generation ?? 1,
    replicas: sum(all, (r) => r.status?.replicas ?? 0),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum(all, (r) => r.status?.readyReplicas ?? 0),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sum(all, (r) => r.spec?.replicas ?? 0) - available),
    conditions: [...(prev.conditions ?? [])],
  };
  if (available >= replicas - fenceposts(spec).unavailable) {
    setDeploymentCondition(status, condition("Available", "True", REASON.minAvailable, "Deployment has minimum availability.", nowText));
  } else {
    setDeploymentCondition(status, condition("Available", "False", REASON.minUnavailable, "Deployment does not have minimum availability.", nowText));
  }

  const deadlineSeconds = spec.progressDeadlineSeconds ?? 600;
  const what = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
  const progressing = deploymentCondition(status, "Progressing");
  let deadlineAt: number | undefined;
  const complete = status.replicas === status.updatedReplicas && progressing?.reason === REASON.newRSAvailable;
  if (!spec.paused && !complete) {
    if (isComplete(d, status)) {
      setDeploymentCondition(status, condition("Progressing", "True", REASON.newRSAvailable, `${what} has successfully progressed.`, nowText));
    } else if (madeProgress(prev, status)) {
      const c = condition("Progressing", "True", REASON.rsUpdated, `${what} is progressing.`, nowText);
      // Progress moves lastUpdateTime even when the reason stays: the deadline counts from it.
      if (progressing?.status === "True") c.lastTransitionTime = progressing.lastTransitionTime;
      status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== "Progressing"), c];
      deadlineAt = now.getTime() + simMs(deadlineSeconds);
    } else if (progressing && progressing.reason !== REASON.timedOut) {
      const from = Date.parse(progressing.lastUpdateTime ?? progressing.lastTransitionTime ?? "");
      const due = (Number.isFinite(from) ? from : now.getTime()) + simMs(deadlineSeconds);
      if (due < now.getTime()) {
        setDeploymentCondition(status, condition("Progressing", "False", REASON.timedOut, `${what} has timed out progressing.`, nowText));
      } else {
        deadlineAt = due;
      }
    }
  }

  const failure = replicaFailure(newRS, all);
  if (failure) setDeploymentCondition(status, { ...failure, lastUpdateTime: failure.lastTransitionTime ?? nowText });
  else status.conditions = (status.conditions ?? []).filter((c) => c.type !== "ReplicaFailure");
  return { status, ...(deadlineAt !== undefined ? { deadlineAt: deadlineAt + 1 } : {}) };
}

/** DeploymentComplete: every replica updated and available, and the status describes this generation. */
export function isComplete(d: Deployment, s: DeploymentStatus): boolean {
  const replicas = d.spec?.replicas ?? 1;
  return (
    s.updatedReplicas === replicas &&
    s.replicas === replicas &&
    s.availableReplicas === replicas &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1)
  );
}

function madeProgress(prev: DeploymentStatus, next: DeploymentStatus): boolean {
  const prevOld = (prev.replicas ?? 0) - (prev.updatedReplicas ?? 0);
  const nextOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (prev.updatedReplicas ?? 0) ||
    nextOld < prevOld ||
    (next.readyReplicas ?? 0) > (prev.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (prev.availableReplicas ?? 0)
  );
}

/** A ReplicaSet's failure to create pods (quota, say), surfaced on the deployment; the new one's first. */
function replicaFailure(newRS: ReplicaSet | undefined, all: ReplicaSet[]): WorkloadCondition | undefined {
  for (const rs of [...(newRS ? [newRS] : []), ...all]) {
    const c = rs.status?.conditions?.find((x) => x.type === "ReplicaFailure" && x.status === "True");
    if (c) return { ...c };
  }
  return undefined;
}
