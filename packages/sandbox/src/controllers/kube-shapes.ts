import type { KubeObject, ObjectMeta, OwnerReference } from "../store/types.js";

/**
 * The parts of Kubernetes objects the controllers read and write, as TypeScript shapes. The store
 * keeps objects loosely typed (the API accepts what clients send, validated at its boundary), so
 * every field here is optional where a client may leave it out; readers default it.
 * `type` aliases rather than interfaces: they stay assignable to the store's open records.
 */

export type Quantity = string | number;
export type ResourceList = { [resource: string]: Quantity | undefined };
export type ResourceRequirements = { requests?: ResourceList; limits?: ResourceList };

export type KeyRef = { name?: string; key: string; optional?: boolean };
export type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef; fieldRef?: { fieldPath?: string } };
};
export type EnvFromSource = {
  prefix?: string;
  configMapRef?: { name?: string; optional?: boolean };
  secretRef?: { name?: string; optional?: boolean };
};

export type Probe = {
  httpGet?: { path?: string; port?: number | string; scheme?: string; host?: string };
  tcpSocket?: { port?: number | string };
  exec?: { command?: string[] };
  grpc?: { port?: number };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
};

export type ContainerPort = { name?: string; containerPort: number; protocol?: string };

export type Container = {
  name: string;
  image?: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  resources?: ResourceRequirements;
  ports?: ContainerPort[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
};

export type Toleration = {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute" | "";
  tolerationSeconds?: number;
};

export type Taint = { key: string; value?: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute"; timeAdded?: string };

export type NodeSelectorRequirement = { key: string; operator: string; values?: string[] };
export type NodeSelectorTerm = { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] };

export type Volume = { name: string; persistentVolumeClaim?: { claimName: string }; [k: string]: unknown };

export type PodSpec = {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  /** system-node-critical and system-cluster-critical pods are the last the kubelet evicts. */
  priorityClassName?: string;
  containers?: Container[];
  initContainers?: Container[];
  restartPolicy?: "Always" | "OnFailure" | "Never";
  terminationGracePeriodSeconds?: number;
  tolerations?: Toleration[];
  volumes?: Volume[];
  hostname?: string;
  subdomain?: string;
  hostNetwork?: boolean;
  schedulerName?: string;
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } };
  [k: string]: unknown;
};

export type ConditionStatus = "True" | "False" | "Unknown";

export type PodCondition = {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
};

export type TerminatedState = {
  exitCode: number;
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  containerID?: string;
};

export type ContainerState = {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: TerminatedState;
};

export type ContainerStatus = {
  name: string;
  state: ContainerState;
  lastState: ContainerState;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started?: boolean;
};

export type PodStatus = {
  phase?: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
  conditions?: PodCondition[];
  message?: string;
  reason?: string;
  hostIP?: string;
  hostIPs?: { ip: string }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime?: string;
  qosClass?: "Guaranteed" | "Burstable" | "BestEffort";
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  [k: string]: unknown;
};

export type LabelSelectorSpec = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
};

export type PodTemplate = {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: PodSpec;
};

export type IntOrString = number | string;

export type DeploymentSpec = {
  replicas?: number;
  selector?: LabelSelectorSpec;
  template?: PodTemplate;
  strategy?: { type?: "RollingUpdate" | "Recreate"; rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString } };
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  minReadySeconds?: number;
  paused?: boolean;
  [k: string]: unknown;
};

export type WorkloadCondition = {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
};

export type DeploymentStatus = {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  collisionCount?: number;
  conditions?: WorkloadCondition[];
  [k: string]: unknown;
};

export type ReplicaSetSpec = {
  replicas?: number;
  selector?: LabelSelectorSpec;
  template?: PodTemplate;
  minReadySeconds?: number;
  [k: string]: unknown;
};

export type ReplicaSetStatus = {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration?: number;
  conditions?: WorkloadCondition[];
  [k: string]: unknown;
};

export type PvcTemplate = {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { accessModes?: string[]; resources?: { requests?: ResourceList }; storageClassName?: string; [k: string]: unknown };
};

export type StatefulSetSpec = {
  replicas?: number;
  selector?: LabelSelectorSpec;
  template?: PodTemplate;
  serviceName?: string;
  podManagementPolicy?: "OrderedReady" | "Parallel";
  updateStrategy?: { type?: "RollingUpdate" | "OnDelete"; rollingUpdate?: { partition?: number } };
  revisionHistoryLimit?: number;
  volumeClaimTemplates?: PvcTemplate[];
  minReadySeconds?: number;
  [k: string]: unknown;
};

export type DaemonSetSpec = {
  selector?: LabelSelectorSpec;
  template?: PodTemplate;
  minReadySeconds?: number;
  [k: string]: unknown;
};

export type NodeAddress = { type: string; address: string };

export type NodeSpec = { unschedulable?: boolean; taints?: Taint[]; podCIDR?: string; podCIDRs?: string[]; [k: string]: unknown };

export type NodeCondition = {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
};

export type NodeStatus = {
  capacity?: ResourceList;
  allocatable?: ResourceList;
  conditions?: NodeCondition[];
  addresses?: NodeAddress[];
  nodeInfo?: Record<string, string>;
  daemonEndpoints?: { kubeletEndpoint?: { Port: number } };
  [k: string]: unknown;
};

export type ServicePort = { name?: string; port: number; targetPort?: IntOrString; protocol?: string };
export type ServiceSpec = {
  selector?: Record<string, string>;
  ports?: ServicePort[];
  publishNotReadyAddresses?: boolean;
  [k: string]: unknown;
};

/** A stored object with its spec and status read as the given shapes. */
export type Typed<S, T> = {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: S;
  status?: T;
  [k: string]: unknown;
};

export type Pod = Typed<PodSpec, PodStatus>;
export type Node = Typed<NodeSpec, NodeStatus>;
export type Deployment = Typed<DeploymentSpec, DeploymentStatus>;
export type ReplicaSet = Typed<ReplicaSetSpec, ReplicaSetStatus>;
export type StatefulSet = Typed<StatefulSetSpec, Record<string, unknown>>;
export type DaemonSet = Typed<DaemonSetSpec, Record<string, unknown>>;
export type Service = Typed<ServiceSpec, Record<string, unknown>>;

/** Reads a stored object as a typed one (the store holds what the API accepted; readers default missing fields). */
export function typed<T extends Typed<unknown, unknown>>(o: KubeObject): T {
  return o as unknown as T;
}

/** The owner reference that marks an object's controller, if any. */
export function controllerOf(o: { metadata: ObjectMeta }): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** The reference a controller puts on what it creates. */
export function controllerRef(owner: { apiVersion: string; kind: string; metadata: ObjectMeta }): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** Kubernetes writes timestamps to the second. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
