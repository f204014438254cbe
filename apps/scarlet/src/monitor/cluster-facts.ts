import type { Action } from "@autodevops/shared";
import { workloadOfPod } from "../detectors/observations.js";
import type { EventObject, Meta, NodeObject, Observation, PodObject, WorkloadObject } from "../detectors/observations.js";
import { quantity, workloadFacts } from "../playbooks/facts.js";
import type { NodePodFacts, PlaybookContext } from "../playbooks/types.js";
import type { TargetFacts } from "../policy/policy-inputs.js";

/** How far back events still count as news for the detectors. */
export const EVENT_WINDOW_MS = 10 * 60_000;

/** The rollout settings the blast radius reads, besides what the detectors read. */
export type RolloutWorkload = WorkloadObject & {
  spec?: {
    strategy?: { rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
    /** StatefulSets keep theirs here. */
    updateStrategy?: { rollingUpdate?: { maxUnavailable?: number | string } };
  };
};
/** core/v1 Events may carry only `eventTime` (events.k8s.io writers) instead of `lastTimestamp`. */
export type ClusterEvent = EventObject & { eventTime?: string };
export type ReplicaSetObject = { metadata: Meta };
export type ClaimObject = { metadata: Meta; spec?: { volumeName?: string; resources?: { requests?: Record<string, string | number | undefined> } }; status?: { phase?: string; capacity?: Record<string, string | number | undefined> } };
export type NamespaceObject = { metadata: Meta };

/** What the facts are read from: the watch's cache, or plain objects in tests. Workloads carry `kind`. */
export interface ClusterView {
  readonly cluster: string;
  pods(namespace?: string): PodObject[];
  deployments(): RolloutWorkload[];
  statefulSets(): RolloutWorkload[];
  replicaSets(): ReplicaSetObject[];
  nodes(): NodeObject[];
  events(): ClusterEvent[];
  claims(): ClaimObject[];
  namespaces(): NamespaceObject[];
  /** Absent in views that do not cache ConfigMaps (the references then go unchecked). */
  configMaps?(namespace?: string): ConfigMapObject[];
}

export type ConfigMapObject = { metadata: Meta; data?: Record<string, string> };

type EnvSource = { env?: { name: string; valueFrom?: { configMapKeyRef?: { name?: string; key: string; optional?: boolean } } }[]; envFrom?: { configMapRef?: { name?: string; optional?: boolean } }[] };

/**
 * The ConfigMap keys a workload's pod template reads (env `configMapKeyRef`, `envFrom`) that do
 * not exist: running pods carry on, but any restart fails with CreateContainerConfigError.
 */
export function missingConfig(w: WorkloadObject, configMaps: readonly ConfigMapObject[]): { configMap: string; key?: string }[] {
  const byName = new Map(configMaps.filter((c) => c.metadata.namespace === w.metadata.namespace).map((c) => [c.metadata.name, c]));
  const containers = (w.spec?.template?.spec?.containers ?? []) as EnvSource[];
  const missing: { configMap: string; key?: string }[] = [];
  for (const c of containers) {
    for (const e of c.env ?? []) {
      const r = e.valueFrom?.configMapKeyRef;
      if (!r?.name || r.optional === true) continue;
      const cm = byName.get(r.name);
      if (!cm || cm.data?.[r.key] === undefined) missing.push({ configMap: r.name, key: r.key });
    }
    for (const e of c.envFrom ?? []) {
      const r = e.configMapRef;
      if (r?.name && r.optional !== true && !byName.has(r.name)) missing.push({ configMap: r.name });
    }
  }
  return missing;
}

type WorkloadKind = "Deployment" | "StatefulSet";
type WorkloadRef = { namespace: string; name: string; kind?: WorkloadKind };

const WAITING_FAILURES = new Set(["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError"]);

const isReady = (p: PodObject) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
const workloadKindOf = (kind: string | undefined): NodePodFacts["workloadKind"] =>
  kind === "Deployment" || kind === "StatefulSet" || kind === "DaemonSet" ? kind : undefined;

function eventTime(e: ClusterEvent): number | undefined {
  const t = e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
  const ms = t === undefined ? Number.NaN : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * What the detectors are fed each round: pods, Deployments and StatefulSets, nodes, and the
 * events of the last 10 minutes (an event of unknown age is left out: a stale one would raise
 * a finding for something long over).
 */
export function observationsOf(view: ClusterView, now: Date): Observation[] {
  const { cluster } = view;
  const since = now.getTime() - EVENT_WINDOW_MS;
  // A pod event's node, from the pod: the node controller's NodeNotReady on a pod names no host,
  // and without it the pod's trouble cannot be laid at its node's door.
  const podNodes = new Map(view.pods().map((p) => [`${p.metadata.namespace ?? "default"}/${p.metadata.name}`, p.spec?.nodeName]));
  const nodeOf = (e: ClusterEvent) => (e.involvedObject.kind === "Pod" ? podNodes.get(`${e.involvedObject.namespace ?? e.metadata.namespace ?? "default"}/${e.involvedObject.name ?? ""}`) : undefined);
  return [
    ...view.pods().map((pod): Observation => ({ type: "pod", cluster, pod })),
    ...view.deployments().map((w): Observation => ({ type: "workload", cluster, workload: { ...w, kind: "Deployment" } })),
    ...view.statefulSets().map((w): Observation => ({ type: "workload", cluster, workload: { ...w, kind: "StatefulSet" } })),
    ...view.nodes().map((node): Observation => ({ type: "node", cluster, node })),
    ...configObservations(view),
    ...view
      .events()
      .filter((e) => (eventTime(e) ?? Number.NEGATIVE_INFINITY) >= since)
      .map((event): Observation => {
        const node = nodeOf(event);
        return { type: "event", cluster, event, ...(node ? { node } : {}) };
      }),
  ];
}

/** The sum of a pod's container memory limits; undefined when any container has none (it may take the whole node). */
function podMemoryLimit(pod: PodObject): number | undefined {
  const containers = pod.spec?.containers ?? [];
  if (containers.length === 0) return undefined;
  let total = 0;
  for (const c of containers) {
    const limit = quantity(c.resources?.limits?.memory);
    if (limit === undefined) return undefined;
    total += limit;
  }
  return total;
}

/** The playbooks' view of the cluster now: workload facts (with ReplicaSet history) and the pods of each node. */
export function playbookContext(view: ClusterView, now: Date, extra: Partial<PlaybookContext> = {}): PlaybookContext {
  const replicaSets = view.replicaSets();
  const workloads = [
    ...view.deployments().map((w) => workloadFacts({ ...w, kind: "Deployment" }, replicaSets)),
    ...view.statefulSets().map((w) => workloadFacts({ ...w, kind: "StatefulSet" })),
  ];
  const pods = view.pods();
  const nodes = view.nodes().map((n) => ({
    name: n.metadata.name,
    pods: pods
      .filter((p) => p.spec?.nodeName === n.metadata.name)
      .map((p): NodePodFacts => {
        const owner = workloadOfPod(p);
        const kind = workloadKindOf(owner?.kind);
        const limit = podMemoryLimit(p);
        return {
          namespace: p.metadata.namespace ?? "default",
          name: p.metadata.name,
          ...(owner && kind ? { workload: owner.name, workloadKind: kind } : {}),
          ...(limit !== undefined ? { memoryLimitBytes: limit } : {}),
        };
      }),
  }));
  return { cluster: view.cluster, now, workloads, nodes, changes: [], ...extra };
}

function findWorkload(view: ClusterView, ref: WorkloadRef): { kind: WorkloadKind; object: RolloutWorkload } | undefined {
  const match = (w: RolloutWorkload) => w.metadata.name === ref.name && (w.metadata.namespace ?? "default") === ref.namespace;
  if (ref.kind !== "StatefulSet") {
    const d = view.deployments().find(match);
    if (d) return { kind: "Deployment", object: d };
  }
  if (ref.kind !== "Deployment") {
    const s = view.statefulSets().find(match);
    if (s) return { kind: "StatefulSet", object: s };
  }
  return undefined;
}

/** The workload's pods that are still current (a terminating pod is on its way out). */
function podsOf(view: ClusterView, namespace: string, name: string, kind: WorkloadKind): PodObject[] {
  return view.pods(namespace).filter((p) => {
    const owner = workloadOfPod(p);
    return owner?.name === name && owner.kind === kind && p.metadata.deletionTimestamp === undefined;
  });
}

/** An int-or-percent of `replicas` the way the API does it: percentages scaled and rounded (down unless `roundUp`). */
function scaled(value: number | string | undefined, replicas: number, roundUp: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return value;
  const m = /^(\d+)%$/.exec(value.trim());
  if (!m) return /^\d+$/.test(value.trim()) ? Number(value) : undefined;
  const exact = (Number(m[1]) * replicas) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** A rollout's maxUnavailable as a count; like the deployment controller, 0 with no surge becomes 1 or the rollout could never move. */
export function maxUnavailableOf(w: RolloutWorkload, kind: WorkloadKind): number | undefined {
  const replicas = w.spec?.replicas ?? 1;
  if (kind === "StatefulSet") return scaled(w.spec?.updateStrategy?.rollingUpdate?.maxUnavailable, replicas, false);
  const rolling = w.spec?.strategy?.rollingUpdate;
  const unavailable = scaled(rolling?.maxUnavailable, replicas, false);
  if (unavailable === undefined) return undefined;
  const surge = scaled(rolling?.maxSurge ?? "25%", replicas, true) ?? 0;
  return unavailable === 0 && surge === 0 ? 1 : unavailable;
}

const NODE_ACTIONS: ReadonlySet<Action["kind"]> = new Set(["cordon-node", "drain-node"]);

/** The live shape of an action's target for the blast radius; undefined when the target is not in the cache. */
export function targetFactsOf(view: ClusterView, action: Action): TargetFacts | undefined {
  if (NODE_ACTIONS.has(action.kind)) {
    if (!view.nodes().some((n) => n.metadata.name === action.target)) return undefined;
    const byWorkload = new Map<string, { namespace: string; name: string; replicas: number; readyOnNode: number }>();
    for (const pod of view.pods()) {
      if (pod.spec?.nodeName !== action.target) continue;
      const owner = workloadOfPod(pod);
      const namespace = pod.metadata.namespace ?? "default";
      // DaemonSet and bare pods are left out: a drain does not evict the first, and the second has no replicas to speak of.
      const found = owner && (owner.kind === "Deployment" || owner.kind === "StatefulSet") ? findWorkload(view, { namespace, name: owner.name, kind: owner.kind }) : undefined;
      if (!owner || !found) continue;
      const key = `${namespace}/${owner.name}`;
      const entry = byWorkload.get(key) ?? { namespace, name: owner.name, replicas: found.object.spec?.replicas ?? 1, readyOnNode: 0 };
      if (isReady(pod)) entry.readyOnNode += 1;
      byWorkload.set(key, entry);
    }
    return { kind: "node", workloads: [...byWorkload.values()] };
  }
  const kind = "workloadKind" in action.params ? action.params.workloadKind : undefined;
  const found = findWorkload(view, { namespace: action.namespace, name: action.target, ...(kind === "Deployment" || kind === "StatefulSet" ? { kind } : {}) });
  if (!found) return undefined;
  const maxUnavailable = maxUnavailableOf(found.object, found.kind);
  return {
    kind: "workload",
    replicas: found.object.spec?.replicas ?? 1,
    readyPods: podsOf(view, action.namespace, action.target, found.kind).filter(isReady).map((p) => p.metadata.name),
    ...(maxUnavailable !== undefined ? { maxUnavailable } : {}),
  };
}

/** The annotations the policy reads: the namespace's, and the target workload's (or node's, given `{ node }`). */
export function annotationsOf(view: ClusterView, namespace: string, target?: string | { node: string }): { namespace: Record<string, string>; target: Record<string, string> } {
  const ns = namespace === "" ? undefined : view.namespaces().find((n) => n.metadata.name === namespace);
  const targetMeta =
    target === undefined
      ? undefined
      : typeof target === "string"
        ? findWorkload(view, { namespace, name: target })?.object.metadata
        : view.nodes().find((n) => n.metadata.name === target.node)?.metadata;
  return { namespace: { ...ns?.metadata.annotations }, target: { ...targetMeta?.annotations } };
}

export interface WorkloadHealth {
  replicas: number;
  ready: number;
  available: number;
  updated: number;
  /** Pods with a container waiting in CrashLoopBackOff, ImagePullBackOff, ErrImagePull or CreateContainerConfigError. */
  crashLooping: number;
  /** The sum of the current pods' restart counts. */
  restarts: number;
  podNames: string[];
}

/** The uid of a workload as the cache has it now: a workload deleted and created again has another. */
export function workloadUid(view: ClusterView, namespace: string, workload: string): string | undefined {
  return findWorkload(view, { namespace, name: workload })?.object.metadata.uid;
}

/** A workload's rollout and pod health for the verify step; undefined when the cache has no such workload. */
export function workloadHealth(view: ClusterView, namespace: string, workload: string): WorkloadHealth | undefined {
  const found = findWorkload(view, { namespace, name: workload });
  if (!found) return undefined;
  const { status, spec } = found.object;
  const pods = podsOf(view, namespace, workload, found.kind);
  const statuses = (p: PodObject) => p.status?.containerStatuses ?? [];
  return {
    replicas: spec?.replicas ?? 1,
    ready: status?.readyReplicas ?? 0,
    available: status?.availableReplicas ?? 0,
    updated: status?.updatedReplicas ?? 0,
    crashLooping: pods.filter((p) => statuses(p).some((c) => WAITING_FAILURES.has(c.state?.waiting?.reason ?? ""))).length,
    restarts: pods.reduce((sum, p) => sum + statuses(p).reduce((s, c) => s + c.restartCount, 0), 0),
    podNames: pods.map((p) => p.metadata.name),
  };
}

/** A `config` observation per workload whose template reads ConfigMap keys that are missing. */
function configObservations(view: ClusterView): Observation[] {
  if (!view.configMaps) return [];
  const maps = view.configMaps();
  return [...view.deployments().map((w) => ({ ...w, kind: "Deployment" })), ...view.statefulSets().map((w) => ({ ...w, kind: "StatefulSet" }))].flatMap((w): Observation[] => {
    const missing = missingConfig(w, maps);
    return missing.length === 0 ? [] : [{ type: "config", cluster: view.cluster, namespace: w.metadata.namespace ?? "default", workload: w.metadata.name, missing }];
  });
}
