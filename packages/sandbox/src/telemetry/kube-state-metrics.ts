import { bytes, cpuMilli, parseQuantity } from "../controllers/quantity.js";
import type { ContainerStatus, Pod } from "../controllers/kube-shapes.js";
import type { ClusterSnapshot } from "./cluster-snapshot.js";
import type { MetricFamily, Sample } from "./exposition-format.js";

/** kube-state-metrics' view of the objects: names and label sets as KSM v2 exports them. */

const PHASES = ["Pending", "Running", "Succeeded", "Failed", "Unknown"] as const;
const CONDITION_STATUSES = [
  ["true", "True"],
  ["false", "False"],
  ["unknown", "Unknown"],
] as const;

type Labels = Record<string, string>;
const family = (name: string, type: MetricFamily["type"], help: string, samples: Sample[]): MetricFamily => ({ name, type, help, samples });
const bool = (b: boolean) => (b ? 1 : 0);

function podKey(p: Pod): Labels {
  return { namespace: p.metadata.namespace ?? "", pod: p.metadata.name };
}

function containerSamples(pods: readonly Pod[], value: (p: Pod, s: ContainerStatus) => Array<{ extra?: Labels; value: number }>): Sample[] {
  const out: Sample[] = [];
  for (const p of pods) {
    for (const s of p.status?.containerStatuses ?? []) {
      for (const v of value(p, s)) out.push({ labels: { ...podKey(p), container: s.name, ...v.extra }, value: v.value });
    }
  }
  return out;
}

function podMetrics(pods: readonly Pod[]): MetricFamily[] {
  const resources = (kind: "requests" | "limits"): Sample[] =>
    pods.flatMap((p) =>
      (p.spec?.containers ?? []).flatMap((c) => {
        const r = c.resources?.[kind] ?? {};
        const base = { ...podKey(p), container: c.name, node: p.spec?.nodeName ?? "" };
        const out: Sample[] = [];
        if (r.cpu !== undefined) out.push({ labels: { ...base, resource: "cpu", unit: "core" }, value: cpuMilli(r.cpu) / 1000 });
        if (r.memory !== undefined) out.push({ labels: { ...base, resource: "memory", unit: "byte" }, value: bytes(r.memory) });
        return out;
      }),
    );
  return [
    family("kube_pod_info", "gauge", "Information about pod.", pods.map((p) => ({
      labels: {
        ...podKey(p),
        uid: p.metadata.uid,
        node: p.spec?.nodeName ?? "",
        pod_ip: p.status?.podIP ?? "",
        host_ip: p.status?.hostIP ?? "",
        created_by_kind: p.metadata.ownerReferences?.[0]?.kind ?? "<none>",
        created_by_name: p.metadata.ownerReferences?.[0]?.name ?? "<none>",
      },
      value: 1,
    }))),
    family("kube_pod_status_phase", "gauge", "The pods current phase.", pods.flatMap((p) =>
      PHASES.map((phase) => ({ labels: { ...podKey(p), phase }, value: bool((p.status?.phase ?? "Pending") === phase) })),
    )),
    family("kube_pod_status_ready", "gauge", "Describes whether the pod is ready to serve requests.", pods.flatMap((p) => {
      const ready = p.status?.conditions?.find((c) => c.type === "Ready")?.status;
      return ready === undefined ? [] : CONDITION_STATUSES.map(([condition, s]) => ({ labels: { ...podKey(p), condition }, value: bool(ready === s) }));
    })),
    family("kube_pod_container_status_restarts_total", "counter", "The number of container restarts per container.",
      containerSamples(pods, (_p, s) => [{ value: s.restartCount }])),
    family("kube_pod_container_status_ready", "gauge", "Describes whether the containers readiness check succeeded.",
      containerSamples(pods, (_p, s) => [{ value: bool(s.ready) }])),
    family("kube_pod_container_status_running", "gauge", "Describes whether the container is currently in running state.",
      containerSamples(pods, (_p, s) => [{ value: bool(s.state.running !== undefined) }])),
    family("kube_pod_container_status_waiting", "gauge", "Describes whether the container is currently in waiting state.",
      containerSamples(pods, (_p, s) => [{ value: bool(s.state.waiting !== undefined) }])),
    family("kube_pod_container_status_waiting_reason", "gauge", "Describes the reason the container is currently in waiting state.",
      containerSamples(pods, (_p, s) => (s.state.waiting?.reason ? [{ extra: { reason: s.state.waiting.reason }, value: 1 }] : []))),
    family("kube_pod_container_status_terminated_reason", "gauge", "Describes the reason the container is currently in terminated state.",
      containerSamples(pods, (_p, s) => (s.state.terminated?.reason ? [{ extra: { reason: s.state.terminated.reason }, value: 1 }] : []))),
    family("kube_pod_container_status_last_terminated_reason", "gauge", "Describes the last reason the container was in terminated state.",
      containerSamples(pods, (_p, s) => (s.lastState.terminated?.reason ? [{ extra: { reason: s.lastState.terminated.reason }, value: 1 }] : []))),
    family("kube_pod_container_status_last_terminated_exitcode", "gauge", "Describes the exit code for the last container in terminated state.",
      containerSamples(pods, (_p, s) => (s.lastState.terminated ? [{ value: s.lastState.terminated.exitCode }] : []))),
    family("kube_pod_container_resource_requests", "gauge", "The number of requested request resource by a container.", resources("requests")),
    family("kube_pod_container_resource_limits", "gauge", "The number of requested limit resource by a container.", resources("limits")),
  ];
}

function workloadMetrics(snap: ClusterSnapshot): MetricFamily[] {
  const dep = (d: ClusterSnapshot["deployments"][number]) => ({ namespace: d.metadata.namespace ?? "", deployment: d.metadata.name });
  const sts = (s: ClusterSnapshot["statefulSets"][number]) => ({ namespace: s.metadata.namespace ?? "", statefulset: s.metadata.name });
  const stsStatus = (s: ClusterSnapshot["statefulSets"][number], key: string) => {
    const v = s.status?.[key];
    return typeof v === "number" ? v : 0;
  };
  const ds = snap.deployments;
  return [
    family("kube_deployment_spec_replicas", "gauge", "Number of desired pods for a deployment.", ds.map((d) => ({ labels: dep(d), value: d.spec?.replicas ?? 1 }))),
    family("kube_deployment_status_replicas", "gauge", "The number of replicas per deployment.", ds.map((d) => ({ labels: dep(d), value: d.status?.replicas ?? 0 }))),
    family("kube_deployment_status_replicas_available", "gauge", "The number of available replicas per deployment.", ds.map((d) => ({ labels: dep(d), value: d.status?.availableReplicas ?? 0 }))),
    family("kube_deployment_status_replicas_unavailable", "gauge", "The number of unavailable replicas per deployment.", ds.map((d) => ({ labels: dep(d), value: d.status?.unavailableReplicas ?? 0 }))),
    family("kube_deployment_status_replicas_updated", "gauge", "The number of updated replicas per deployment.", ds.map((d) => ({ labels: dep(d), value: d.status?.updatedReplicas ?? 0 }))),
    family("kube_deployment_metadata_generation", "gauge", "Sequence number representing a specific generation of the desired state.", ds.map((d) => ({ labels: dep(d), value: d.metadata.generation ?? 0 }))),
    family("kube_deployment_status_observed_generation", "gauge", "The generation observed by the deployment controller.", ds.map((d) => ({ labels: dep(d), value: d.status?.observedGeneration ?? 0 }))),
    family("kube_statefulset_replicas", "gauge", "Number of desired pods for a StatefulSet.", snap.statefulSets.map((s) => ({ labels: sts(s), value: s.spec?.replicas ?? 1 }))),
    family("kube_statefulset_status_replicas_ready", "gauge", "The number of ready replicas per StatefulSet.", snap.statefulSets.map((s) => ({ labels: sts(s), value: stsStatus(s, "readyReplicas") }))),
    family("kube_statefulset_status_replicas_available", "gauge", "The number of available replicas per StatefulSet.", snap.statefulSets.map((s) => ({ labels: sts(s), value: stsStatus(s, "availableReplicas") }))),
  ];
}

function nodeMetrics(snap: ClusterSnapshot): MetricFamily[] {
  const amounts = (kind: "capacity" | "allocatable"): Sample[] =>
    snap.nodes.flatMap((n) =>
      Object.entries(n.status?.[kind] ?? {}).flatMap(([resource, q]): Sample[] => {
        const unit = resource === "cpu" ? "core" : resource === "memory" || resource.endsWith("storage") || resource.startsWith("hugepages-") ? "byte" : "integer";
        const value = resource === "cpu" ? cpuMilli(q) / 1000 : parseQuantity(q);
        return Number.isFinite(value) ? [{ labels: { node: n.metadata.name, resource: resource.replace(/[^a-zA-Z0-9_]/g, "_"), unit }, value }] : [];
      }),
    );
  return [
    family("kube_node_status_condition", "gauge", "The condition of a cluster node.", snap.nodes.flatMap((n) =>
      (n.status?.conditions ?? []).flatMap((c) =>
        CONDITION_STATUSES.map(([status, s]) => ({ labels: { node: n.metadata.name, condition: c.type, status }, value: bool(c.status === s) })),
      ),
    )),
    family("kube_node_spec_unschedulable", "gauge", "Whether a node can schedule new pods.", snap.nodes.map((n) => ({ labels: { node: n.metadata.name }, value: bool(n.spec?.unschedulable === true) }))),
    family("kube_node_status_capacity", "gauge", "The capacity for different resources of a node.", amounts("capacity")),
    family("kube_node_status_allocatable", "gauge", "The allocatable for different resources of a node that are available for scheduling.", amounts("allocatable")),
  ];
}

/** Quota amounts in KSM's units: cores for CPU, bytes for memory and storage, counts otherwise. */
function quotaValue(resource: string, q: string | number | undefined): number {
  return resource === "cpu" || resource.endsWith(".cpu") ? cpuMilli(q) / 1000 : parseQuantity(q);
}

function quotaAndVolumeMetrics(snap: ClusterSnapshot): MetricFamily[] {
  const quotaSamples: Sample[] = [];
  for (const q of snap.quotas) {
    const status = (q.status ?? {}) as { hard?: Record<string, string | number>; used?: Record<string, string | number> };
    for (const type of ["hard", "used"] as const) {
      for (const [resource, v] of Object.entries(status[type] ?? {})) {
        const value = quotaValue(resource, v);
        if (Number.isFinite(value)) {
          quotaSamples.push({ labels: { namespace: q.metadata.namespace ?? "", resourcequota: q.metadata.name, resource, type }, value });
        }
      }
    }
  }
  const pvcInfo = snap.pvcs.map((c) => {
    const spec = (c.spec ?? {}) as { storageClassName?: string; volumeName?: string };
    return {
      labels: { namespace: c.metadata.namespace ?? "", persistentvolumeclaim: c.metadata.name, storageclass: spec.storageClassName ?? "", volumename: spec.volumeName ?? "" },
      value: 1,
    };
  });
  const pvcPhase = snap.pvcs.flatMap((c) => {
    const phase = (c.status as { phase?: string } | undefined)?.phase ?? "Pending";
    return ["Lost", "Bound", "Pending"].map((p) => ({
      labels: { namespace: c.metadata.namespace ?? "", persistentvolumeclaim: c.metadata.name, phase: p },
      value: bool(phase === p),
    }));
  });
  return [
    family("kube_resourcequota", "gauge", "Information about resource quota.", quotaSamples),
    family("kube_persistentvolumeclaim_info", "gauge", "Information about persistent volume claim.", pvcInfo),
    family("kube_persistentvolumeclaim_status_phase", "gauge", "The phase the persistent volume claim is currently in.", pvcPhase),
  ];
}

/** Every kube-state-metrics family, from the objects as they are at this scrape. */
export function kubeStateMetrics(snap: ClusterSnapshot): MetricFamily[] {
  return [...podMetrics(snap.pods), ...workloadMetrics(snap), ...nodeMetrics(snap), ...quotaAndVolumeMetrics(snap)];
}
