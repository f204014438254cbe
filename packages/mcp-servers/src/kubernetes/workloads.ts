import * as k8s from "@kubernetes/client-node";
import type { ClusterClients } from "./clusters.js";
import { k8sCall } from "./k8s-errors.js";

export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet";
export type Workload = k8s.V1Deployment | k8s.V1StatefulSet | k8s.V1DaemonSet;
export type PatchType = (typeof k8s.PatchStrategy)[keyof typeof k8s.PatchStrategy];

/** Reads one workload of the given kind; a failure is a ToolError naming it. */
export function readWorkload(c: ClusterClients, kind: WorkloadKind, namespace: string, name: string): Promise<Workload> {
  const req = { name, namespace };
  return k8sCall(`reading ${kind} ${namespace}/${name} in ${c.name}`, () =>
    kind === "Deployment" ? c.apps.readNamespacedDeployment(req) : kind === "StatefulSet" ? c.apps.readNamespacedStatefulSet(req) : c.apps.readNamespacedDaemonSet(req),
  );
}

/** Patches one workload (`dryRun`: the server computes the result and keeps nothing). */
export function patchWorkload(c: ClusterClients, kind: WorkloadKind, namespace: string, name: string, body: unknown, type: PatchType, dryRun: boolean): Promise<Workload> {
  const req = { name, namespace, body, ...(dryRun ? { dryRun: "All" } : {}) };
  const opts = k8s.setHeaderOptions("Content-Type", type);
  return k8sCall(`${dryRun ? "dry-run " : ""}patching ${kind} ${namespace}/${name} in ${c.name}`, () =>
    kind === "Deployment" ? c.apps.patchNamespacedDeployment(req, opts) : kind === "StatefulSet" ? c.apps.patchNamespacedStatefulSet(req, opts) : c.apps.patchNamespacedDaemonSet(req, opts),
  );
}

/** Desired and ready replicas of any workload kind. */
export function replicasOf(kind: WorkloadKind, w: Workload): { desired: number; ready: number; updated: number; available: number } {
  if (kind === "DaemonSet") {
    const s = (w as k8s.V1DaemonSet).status;
    return { desired: s?.desiredNumberScheduled ?? 0, ready: s?.numberReady ?? 0, updated: s?.updatedNumberScheduled ?? 0, available: s?.numberAvailable ?? 0 };
  }
  const d = w as k8s.V1Deployment | k8s.V1StatefulSet;
  const s = d.status;
  return { desired: d.spec?.replicas ?? 0, ready: s?.readyReplicas ?? 0, updated: s?.updatedReplicas ?? 0, available: s?.availableReplicas ?? 0 };
}

export const REVISION = "deployment.kubernetes.io/revision";
export const CHANGE_CAUSE = "kubernetes.io/change-cause";

/** A Deployment's ReplicaSets (its revisions), oldest revision first. */
export async function revisionsOf(c: ClusterClients, dep: k8s.V1Deployment): Promise<Array<{ rs: k8s.V1ReplicaSet; revision: number }>> {
  const namespace = dep.metadata?.namespace ?? "";
  const uid = dep.metadata?.uid;
  const list = await k8sCall(`listing ReplicaSets of ${namespace}/${dep.metadata?.name} in ${c.name}`, () => c.apps.listNamespacedReplicaSet({ namespace }));
  return list.items
    .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === uid && o.kind === "Deployment"))
    .map((rs) => ({ rs, revision: Number(rs.metadata?.annotations?.[REVISION] ?? "0") }))
    .sort((a, b) => a.revision - b.revision);
}
