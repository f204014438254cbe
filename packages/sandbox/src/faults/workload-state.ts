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

/**
 * A pod template in a form that compares equal across a rollback: without the label the
 * deployment controller adds, null fields (Go clients send zero values as null) or key order.
 */
export function comparableTemplate(template: Json): string {
  const t = structuredClone(template);
  const meta = (t.metadata ?? {}) as Json;
  const labels = { ...((meta.labels ?? {}) as Record<string, string>) };
  delete labels["pod-template-hash"];
  t.metadata = { ...meta, labels };
  return JSON.stringify(sortKeys(t));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v as Json)
        .filter(([, x]) => x !== null)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  }
  return v;
}
