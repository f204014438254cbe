import { typed, type Deployment, type Node, type Pod, type StatefulSet } from "../controllers/kube-shapes.js";
import { containerLimits } from "../controllers/quantity.js";
import { appLabels } from "../estate/workload-objects.js";
import { WORKLOADS } from "../estate/workloads.js";
import type { ClusterStore } from "../store/cluster-store.js";
import type { KubeObject } from "../store/types.js";
import { unreachableCallers } from "./network-reachability.js";
import type { ServiceState } from "./traffic-model.js";

/** The objects one scrape reads, listed once so every metric of the scrape agrees. */
export interface ClusterSnapshot {
  pods: Pod[];
  nodes: Node[];
  deployments: Deployment[];
  statefulSets: StatefulSet[];
  pvcs: KubeObject[];
  quotas: KubeObject[];
  networkPolicies: KubeObject[];
  namespaces: KubeObject[];
}

export function takeSnapshot(store: Pick<ClusterStore, "list">): ClusterSnapshot {
  const list = (r: string) => store.list(r).items;
  return {
    pods: list("pods").map((o) => typed<Pod>(o)),
    nodes: list("nodes").map((o) => typed<Node>(o)),
    deployments: list("apps/deployments").map((o) => typed<Deployment>(o)),
    statefulSets: list("apps/statefulsets").map((o) => typed<StatefulSet>(o)),
    pvcs: list("persistentvolumeclaims"),
    quotas: list("resourcequotas"),
    networkPolicies: list("networking.k8s.io/networkpolicies"),
    namespaces: list("namespaces"),
  };
}

/** The service a pod serves: its `app` label, as the estate's Services select on it. */
export function serviceOf(pod: Pod): string {
  return pod.metadata.labels?.app ?? pod.metadata.labels?.["app.kubernetes.io/name"] ?? pod.metadata.name;
}

/** Ready as the endpoints controller counts it: Ready=True and not being deleted. */
export function isServing(pod: Pod): boolean {
  return !pod.metadata.deletionTimestamp && pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
}

/** Whether the node's kubelet reports: a NotReady node's pods send no cAdvisor or volume stats. */
export function nodeReporting(nodes: readonly Node[]): (nodeName: string | undefined) => boolean {
  const ready = new Set(nodes.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).map((n) => n.metadata.name));
  return (nodeName) => nodeName !== undefined && ready.has(nodeName);
}

/**
 * The estate's services as the traffic model needs them. The call graph comes from the estate's
 * definition; whether anything serves a service comes from the store, at this moment. A service
 * counts when its workload object exists (scaled to zero still counts: callers then get 503s).
 * NetworkPolicies decide which callers reach it.
 */
export function serviceStates(snap: ClusterSnapshot): ServiceState[] {
  const workloads = new Set([...snap.deployments, ...snap.statefulSets].map((w) => `${w.metadata.namespace}/${w.metadata.name}`));
  const present = WORKLOADS.filter((w) => workloads.has(`${w.namespace}/${w.name}`));
  const podLabels = (w: (typeof WORKLOADS)[number]) =>
    snap.pods.find((p) => p.metadata.namespace === w.namespace && serviceOf(p) === w.name)?.metadata.labels ?? appLabels(w);
  const blocked = unreachableCallers(
    present.map((w) => ({ name: w.name, namespace: w.namespace, podLabels: podLabels(w), calls: w.calls })),
    snap.networkPolicies,
    snap.namespaces,
  );
  return present.map((w) => {
    const pods = snap.pods.filter((p) => p.metadata.namespace === w.namespace && serviceOf(p) === w.name);
    const ready = pods.filter(isServing);
    const sample = ready[0] ?? pods[0];
    const limit = sample?.spec?.containers?.[0] ? containerLimits(sample.spec.containers[0]).cpuMilli : undefined;
    const unreachableFrom = blocked.get(w.name);
    return { name: w.name, namespace: w.namespace, calls: w.calls, readyPods: ready.length, cpuLimitMilli: limit, readyPodLabels: ready.map((p) => p.metadata.labels ?? {}), readyPodImages: ready.map((p) => p.spec?.containers?.[0]?.image ?? ""), ...(unreachableFrom ? { unreachableFrom } : {}) };
  });
}
