import type { ClusterStore } from "../store/cluster-store.js";
import { RESOURCE_TYPES } from "../store/resources.js";
import type { KubeObject, KubeObjectInput } from "../store/types.js";
import { applyEstate, type ApplyEstateOptions } from "./apply-estate.js";
import { buildEstate } from "./build-estate.js";
import type { ClusterName } from "./cluster-name.js";
import { recordField } from "./json-record.js";

export interface ResetOptions extends ApplyEstateOptions {
  /** Stamps the nodes' restored conditions. */
  now: Date;
}

type Condition = { type?: unknown; status?: unknown; lastTransitionTime?: unknown };

/**
 * Removes every object but the nodes, at once: no grace periods, no finalizers. Namespaces go
 * first so that a controller reacting to a deletion cannot recreate anything inside them.
 */
export function clearCluster(store: ClusterStore): void {
  const types = RESOURCE_TYPES.filter((t) => t.key !== "nodes");
  for (const t of types) {
    for (const o of store.list(t.key).items) {
      if (!o.metadata.finalizers?.length) continue;
      store.mutate(t.key, o.metadata.namespace, o.metadata.name, (x) => {
        delete x.metadata.finalizers;
      });
    }
  }
  for (const ns of store.list("namespaces").items) store.delete("namespaces", undefined, ns.metadata.name, { gracePeriodSeconds: 0 });
  // Whatever the namespace sweep left (objects in a namespace that no longer existed, say).
  for (const t of types) {
    for (const o of store.list(t.key).items) {
      store.delete(t.key, o.metadata.namespace, o.metadata.name, { gracePeriodSeconds: 0 });
      store.finalizeDeletion(t.key, o.metadata.namespace, o.metadata.name);
    }
  }
}

/** Baseline conditions, keeping the transition time of a condition whose status did not change. */
function restoredConditions(baseline: unknown, current: unknown): unknown {
  const before = Array.isArray(current) ? (current as Condition[]) : [];
  if (!Array.isArray(baseline)) return baseline;
  return (baseline as Condition[]).map((c) => {
    const was = before.find((b) => b.type === c.type);
    return was && was.status === c.status && was.lastTransitionTime ? { ...c, lastTransitionTime: was.lastTransitionTime } : c;
  });
}

/**
 * Puts the nodes back as the estate describes them (labels, spec, conditions): uncordoned,
 * untainted, Ready. Nodes the estate lacks go; nodes it has but the store lost come back.
 */
export function restoreNodes(store: ClusterStore, baseline: readonly KubeObjectInput[]): void {
  const wanted = new Map(baseline.filter((o) => o.kind === "Node").map((o) => [o.metadata.name ?? "", o]));
  for (const n of store.list("nodes").items) if (!wanted.has(n.metadata.name)) store.delete("nodes", undefined, n.metadata.name);
  for (const [name, node] of wanted) {
    if (!store.get("nodes", undefined, name)) {
      const r = store.create("nodes", node);
      if (!r.ok) throw new Error(`reset: cannot recreate node ${name}: ${r.error.message}`);
      continue;
    }
    const check = (r: ReturnType<ClusterStore["mutate"]>) => {
      if (!r.ok) throw new Error(`reset: cannot restore node ${name}: ${r.error.message}`);
    };
    check(
      store.mutate("nodes", undefined, name, (n: KubeObject) => {
        n.metadata.labels = { ...(node.metadata.labels ?? {}) };
        n.metadata.annotations = { ...(node.metadata.annotations ?? {}) };
        n.spec = recordField(node.spec, `node ${name} spec`);
      }),
    );
    check(
      store.mutate(
        "nodes",
        undefined,
        name,
        (n: KubeObject) => {
          const status = recordField(node.status, `node ${name} status`) ?? {};
          status.conditions = restoredConditions(status.conditions, n.status?.conditions);
          n.status = status;
        },
        { subresource: "status" },
      ),
    );
  }
}

/**
 * Brings one cluster back to its baseline estate: every object but the nodes deleted, the nodes
 * restored, then the estate applied as at start (with its rollout history when the controllers
 * run; pass `history: false` on a store without them).
 */
export async function resetCluster(store: ClusterStore, cluster: ClusterName, opts: ResetOptions): Promise<void> {
  const { now, ...applyOptions } = opts;
  const estate = buildEstate(cluster, now);
  clearCluster(store);
  restoreNodes(store, estate.objects);
  await applyEstate(store, { ...estate, objects: estate.objects.filter((o) => o.kind !== "Node") }, applyOptions);
}
