import type { ActionKind } from "@autodevops/shared";
import type { ClusterStore } from "../store/cluster-store.js";
import { comparableTemplate } from "../store/pod-template.js";
import type { KubeObject } from "../store/types.js";

/** What a mutating call did, read from the objects before and after it. */
export interface MutationFacts {
  verb: string;
  resource: string;
  subresource?: string;
  before?: KubeObject;
  after?: KubeObject;
}

type Any = Record<string, unknown>;
const RESTART_ANNOTATION = "kubectl.kubernetes.io/restartedAt";


const templateOf = (o: KubeObject | undefined) => (o?.spec?.template ?? {}) as Any;

function withoutRestartAnnotation(template: Any): string {
  const t = structuredClone(template);
  const meta = (t.metadata ?? {}) as Any;
  const annotations = { ...((meta.annotations ?? {}) as Record<string, string>) };
  delete annotations[RESTART_ANNOTATION];
  t.metadata = { ...meta, annotations };
  return comparableTemplate(t);
}

function withoutResources(template: Any): string {
  const t = structuredClone(template);
  const spec = (t.spec ?? {}) as Any;
  spec.containers = ((spec.containers ?? []) as Any[]).map(({ resources: _r, ...c }) => c);
  t.spec = spec;
  return comparableTemplate(t);
}

/**
 * The sandbox's reading of a call in the Action vocabulary (CONTRACTS.md section 2): `rollback`
 * when a workload's template now equals an earlier revision's, `rollout-restart` when only the
 * restart annotation changed, and so on; null for anything else.
 */
export function classifyMutation(f: MutationFacts, store: Pick<ClusterStore, "list">): ActionKind | null {
  if (f.resource === "pods" && f.subresource === "eviction") return "drain-node";
  if (f.resource === "pods" && f.verb === "delete" && !f.subresource) return "delete-pod";
  if (f.resource === "nodes" && f.before && f.after) {
    return f.before.spec?.unschedulable !== true && f.after.spec?.unschedulable === true ? "cordon-node" : null;
  }
  if (!["apps/deployments", "apps/statefulsets", "apps/replicasets"].includes(f.resource) || !f.before || !f.after) return null;
  if (f.before.spec?.replicas !== f.after.spec?.replicas) return "scale";
  const before = templateOf(f.before);
  const after = templateOf(f.after);
  if (comparableTemplate(before) === comparableTemplate(after)) return null;
  if (f.resource === "apps/deployments") {
    const uid = f.after.metadata.uid;
    const earlier = store
      .list("apps/replicasets", { namespace: f.after.metadata.namespace })
      .items.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === uid));
    const target = comparableTemplate(after);
    if (earlier.some((rs) => comparableTemplate(rs.spec?.template) === target && comparableTemplate(rs.spec?.template) !== comparableTemplate(before))) {
      return "rollback";
    }
  }
  if (withoutRestartAnnotation(before) === withoutRestartAnnotation(after)) return "rollout-restart";
  if (withoutResources(before) === withoutResources(after)) return "set-resources";
  return null;
}
