import type { Container, Pod } from "../controllers/kube-shapes.js";
import type { ClusterStore } from "../store/cluster-store.js";
import type { KubeObject } from "../store/types.js";

type Json = Record<string, unknown>;

/** The store resources a fault's target may be. */
export type WorkloadResource = "apps/deployments" | "apps/statefulsets";

export type WorkloadRef = { resource: WorkloadResource; namespace: string; name: string };

/** The Deployment or StatefulSet called `name` in `namespace`, if there is one. */
export function findWorkload(store: Pick<ClusterStore, "get">, namespace: string, name: string): { ref: WorkloadRef; object: KubeObject } | undefined {
  for (const resource of ["apps/deployments", "apps/statefulsets"] as const) {
    const object = store.get(resource, namespace, name);
    if (object) return { ref: { resource, namespace, name }, object };
  }
  return undefined;
}

/** The workload a pod belongs to: the estate labels every pod `app=<workload>`. */
export const workloadOfPod = (pod: Pod): string | undefined => pod.metadata.labels?.app;

/** The workload's pods that are not on their way out. */
export function livePods(store: Pick<ClusterStore, "list">, namespace: string, workload: string): Pod[] {
  return store
    .list("pods", { namespace })
    .items.map((o) => o as unknown as Pod)
    .filter((p) => workloadOfPod(p) === workload && !p.metadata.deletionTimestamp);
}

export const templateOf = (o: KubeObject): Json => structuredClone((o.spec?.template ?? {}) as Json);

export function containersOf(template: Json): Container[] {
  return ((template.spec as Json | undefined)?.containers ?? []) as Container[];
}

export { comparableTemplate } from "../store/pod-template.js";
