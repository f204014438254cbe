import { CHANGE_CAUSE_ANNOTATION, REVISION_ANNOTATION } from "../detectors/workload-detector.js";
import type { Meta, WorkloadObject } from "../detectors/observations.js";
import type { WorkloadFacts } from "./types.js";

const DESIRED_ANNOTATION = "deployment.kubernetes.io/desired-replicas";

type Quantity = string | number | undefined;
type TemplateContainer = { name: string; resources?: { limits?: Record<string, Quantity> } };
type ReplicaSetObject = { metadata: Meta };

const UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12, m: 1e-3, "": 1 };

/** A Kubernetes quantity as a number (bytes for memory, cores for CPU); undefined when unreadable. */
export function quantity(q: Quantity): number | undefined {
  if (q === undefined) return undefined;
  if (typeof q === "number") return q;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|m)?$/.exec(q.trim());
  return m ? Number(m[1]) * (UNITS[m[2] ?? ""] ?? 1) : undefined;
}

/**
 * A workload's facts for the playbooks, from the Deployment or StatefulSet and (for a
 * Deployment) its ReplicaSets: the current revision, its change-cause and when it was made.
 */
export function workloadFacts(w: WorkloadObject, replicaSets: readonly ReplicaSetObject[] = [], extra: Partial<WorkloadFacts> = {}): WorkloadFacts {
  const kind = w.kind === "StatefulSet" || w.kind === "DaemonSet" ? w.kind : "Deployment";
  const revisionText = w.metadata.annotations?.[REVISION_ANNOTATION];
  const owned = replicaSets.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.kind === "Deployment" && o.name === w.metadata.name));
  const revisionOf = (rs: ReplicaSetObject) => Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0);
  const current = owned.find((rs) => revisionText !== undefined && rs.metadata.annotations?.[REVISION_ANNOTATION] === revisionText);
  const previous = owned.filter((rs) => revisionOf(rs) < Number(revisionText ?? 0)).sort((a, b) => revisionOf(b) - revisionOf(a))[0];
  // The deployment controller stamps the Deployment's replicas on every ReplicaSet it scales: a
  // previous revision stamped 0 never served (a history entry made at 0 replicas, say).
  const previousDesired = previous?.metadata.annotations?.[DESIRED_ANNOTATION];
  const containers = ((w.spec?.template?.spec?.containers ?? []) as TemplateContainer[]).map((c) => {
    const memory = quantity(c.resources?.limits?.memory);
    const cpu = quantity(c.resources?.limits?.cpu);
    return { name: c.name, ...(memory !== undefined ? { memoryLimitBytes: memory } : {}), ...(cpu !== undefined ? { cpuLimitMilli: Math.round(cpu * 1000) } : {}) };
  });
  const cause = w.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION];
  return {
    namespace: w.metadata.namespace ?? "default",
    name: w.metadata.name,
    kind,
    ...(w.metadata.uid !== undefined ? { uid: w.metadata.uid } : {}),
    replicas: w.spec?.replicas ?? 1,
    available: (kind === "StatefulSet" ? w.status?.readyReplicas : w.status?.availableReplicas) ?? 0,
    ...(revisionText !== undefined && Number.isFinite(Number(revisionText)) ? { revision: Number(revisionText) } : {}),
    ...(cause !== undefined ? { changeCause: cause } : {}),
    ...(current?.metadata.creationTimestamp ? { revisionAt: current.metadata.creationTimestamp } : {}),
    ...(previous ? { previousRevision: revisionOf(previous) } : {}),
    ...(previousDesired !== undefined ? { previousRan: Number(previousDesired) > 0 } : {}),
    containers,
    ...extra,
  };
}
