import type { WebhookAlert } from "@autodevops/shared";

/**
 * What the detectors read: typed snapshots in the shapes the Kubernetes API, cAdvisor and
 * Prometheus give (only the fields a detector looks at), so the watch adapter can pass the
 * objects it receives as they are. Every field a client may leave out is optional.
 */

export type Meta = {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string }[];
};

export type ContainerState = {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string };
};

export type ContainerStatus = { name: string; ready: boolean; restartCount: number; image?: string; state?: ContainerState; lastState?: ContainerState };

export type PodObject = {
  metadata: Meta;
  spec?: { nodeName?: string; containers?: { name: string; image?: string; resources?: { limits?: Record<string, string | number | undefined> } }[] };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    startTime?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
    containerStatuses?: ContainerStatus[];
  };
};

export type WorkloadObject = {
  kind?: string;
  metadata: Meta;
  spec?: { replicas?: number; template?: { metadata?: { annotations?: Record<string, string> }; spec?: { containers?: { name: string; image?: string; resources?: { limits?: Record<string, string | number | undefined> } }[] } } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
};

export type NodeObject = {
  metadata: Meta;
  spec?: { unschedulable?: boolean };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string; lastHeartbeatTime?: string }[] };
};

export type EventObject = {
  metadata: Meta;
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  involvedObject: { kind?: string; name?: string; namespace?: string };
  source?: { component?: string; host?: string };
};

/** The PromQL checks Scarlet runs on a schedule, one value per workload. */
export const METRIC_CHECKS = ["error-share", "p99-latency", "cpu-throttling", "cpu-saturation", "request-rate"] as const;
export type MetricCheck = (typeof METRIC_CHECKS)[number];

export type Observation =
  | { type: "pod"; cluster: string; pod: PodObject }
  | { type: "workload"; cluster: string; workload: WorkloadObject }
  | { type: "node"; cluster: string; node: NodeObject }
  /** `node`: where the event's pod runs (the node controller's pod events name no host). */
  | { type: "event"; cluster: string; event: EventObject; node?: string }
  | { type: "volume"; cluster: string; namespace: string; claim: string; workload?: string; usedBytes: number; capacityBytes: number }
  /** cAdvisor's working set of one container, beside its limit (`container_spec_memory_limit_bytes`). */
  | { type: "memory"; cluster: string; namespace: string; workload: string; pod: string; container: string; workingSetBytes: number; limitBytes?: number }
  /** One PromQL check's result for one workload (`service` label of the RED metrics). */
  | { type: "metric"; cluster: string; namespace: string; workload: string; check: MetricCheck; value: number }
  /** A workload whose pod template reads ConfigMap keys (or whole ConfigMaps) that do not exist. */
  | { type: "config"; cluster: string; namespace: string; workload: string; missing: { configMap: string; key?: string }[] }
  /** One alert of an Alertmanager notification; `cluster` when the alert has no `cluster` label. */
  | { type: "alert"; cluster: string; alert: WebhookAlert };

/** A key per observed thing: history and baselines are kept per key. */
export function observationKey(o: Observation): string {
  switch (o.type) {
    case "pod":
      return `pod/${o.cluster}/${o.pod.metadata.namespace ?? ""}/${o.pod.metadata.name}`;
    case "workload":
      return `workload/${o.cluster}/${o.workload.metadata.namespace ?? ""}/${o.workload.metadata.name}`;
    case "node":
      return `node/${o.cluster}/${o.node.metadata.name}`;
    case "event":
      return `event/${o.cluster}/${o.event.metadata.namespace ?? ""}/${o.event.metadata.name}`;
    case "volume":
      return `volume/${o.cluster}/${o.namespace}/${o.claim}`;
    case "memory":
      return `memory/${o.cluster}/${o.namespace}/${o.pod}/${o.container}`;
    case "metric":
      return `metric/${o.cluster}/${o.namespace}/${o.workload}/${o.check}`;
    case "alert":
      return `alert/${o.alert.fingerprint}`;
    case "config":
      return `config/${o.cluster}/${o.namespace}/${o.workload}`;
  }
}

/** The workload a pod belongs to: a ReplicaSet's Deployment (its name minus the hash), else its owner, else its `app` label. */
export function workloadOfPod(pod: PodObject): { name: string; kind: string } | undefined {
  const owner = pod.metadata.ownerReferences?.[0];
  if (owner?.kind === "ReplicaSet") return { name: owner.name.replace(/-[^-]+$/, ""), kind: "Deployment" };
  if (owner) return { name: owner.name, kind: owner.kind };
  return undefined;
}
