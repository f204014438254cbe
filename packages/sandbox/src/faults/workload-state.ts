import { err, ok, type Result } from "@autodevops/shared";
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

/** The fault's target workload and its first container, or the error that names what is missing. */
export function targetWorkload(
  store: Pick<ClusterStore, "get">,
  where: { cluster: string; namespace: string; target: string },
): Result<{ ref: WorkloadRef; object: KubeObject; first: Container }, { code: "unknown_target"; message: string }> {
  const found = findWorkload(store, where.namespace, where.target);
  if (!found) return err({ code: "unknown_target", message: `no Deployment or StatefulSet "${where.target}" in namespace "${where.namespace}" of cluster ${where.cluster}` });
  const first = containersOf(templateOf(found.object))[0];
  if (!first) return err({ code: "unknown_target", message: `${where.namespace}/${where.target} has no containers` });
  return ok({ ...found, first });
}

/** Whether a pod belongs to the fault's target workload. */
export const isTargetPod = (f: { cluster: string; namespace: string; target: string }, ctx: { cluster: string; pod: Pod }): boolean =>
  f.cluster === ctx.cluster && f.namespace === ctx.pod.metadata.namespace && f.target === workloadOfPod(ctx.pod);

/** `deployments` or `statefulsets`: the resource a workload's calls show in the mutation log. */
export const pluralOf = (ref: WorkloadRef): string => (ref.resource === "apps/deployments" ? "deployments" : "statefulsets");
