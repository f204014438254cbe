import type { Mutation } from "../api/mutation-log.js";
import type { Pod } from "../controllers/kube-shapes.js";
import { bytes } from "../controllers/quantity.js";
import type { ClusterStore } from "../store/cluster-store.js";
import { OOM_HEADROOM } from "./fault-effects.js";
import type { ActiveFault } from "./fault-model.js";
import { comparableTemplate, containersOf, findWorkload, templateOf } from "./workload-state.js";

/** What a cure is judged from: the cluster's objects and the calls its clients made. */
export type CureView = { store: Pick<ClusterStore, "get" | "list">; mutations: readonly Mutation[] };

export type CureVerdict = { cured: false } | { cured: true; by: string | undefined };

const notYet: CureVerdict = { cured: false };

/**
 * Whether the cluster's state now cures the fault, and whose call did it. Pure: decided from
 * the store and the mutation log only, as a real fault is cured by what is done to the cluster,
 * never by clearing it. `by` is the user of the latest relevant call since injection.
 */
export function judgeCure(f: ActiveFault, view: CureView): CureVerdict {
  const s = f.state;
  const { store } = view;
  const cured = (relevant: (m: Mutation) => boolean): CureVerdict => ({ cured: true, by: lastCaller(f, view.mutations, relevant) });
  const onTarget = (m: Mutation) => m.namespace === f.namespace && m.name === f.target && (m.resource === "deployments" || m.resource === "statefulsets");
  switch (s.kind) {
    case "crashloop":
    case "dependency-down": {
      // Every process that held the bad state is gone or on its way out.
      const left = store.list("pods", { namespace: f.namespace }).items.filter((p) => s.podUids.includes(p.metadata.uid) && !p.metadata.deletionTimestamp);
      if (left.length > 0) return notYet;
      return cured((m) => onTarget(m) || (m.resource === "pods" && m.namespace === f.namespace && m.name !== null && s.podNames.includes(m.name)));
    }
    case "oom": {
      const w = findWorkload(store, f.namespace, f.target);
      const limit = w ? containersOf(templateOf(w.object))[0]?.resources?.limits?.memory : undefined;
      if (limit === undefined || bytes(limit) < OOM_HEADROOM * s.workingSetBytes) return notYet;
      return cured(onTarget);
    }
    case "image-pull":
    case "bad-rollout":
    case "probe-failure": {
      const w = findWorkload(store, f.namespace, f.target);
      if (!w || comparableTemplate(templateOf(w.object)) !== comparableTemplate(s.previousTemplate)) return notYet;
      return cured(onTarget);
    }
    case "scaled-to-zero": {
      const w = findWorkload(store, f.namespace, f.target);
      if (!w || Number(w.object.spec?.replicas ?? 0) < s.previousReplicas) return notYet;
      return cured(onTarget);
    }
    case "config-error": {
      const data = store.get("configmaps", f.namespace, s.configMap)?.data as Record<string, string> | undefined;
      if (data?.[s.key] === undefined) return notYet;
      return cured((m) => m.resource === "configmaps" && m.namespace === f.namespace && m.name === s.configMap);
    }
    case "hung-replica": {
      const pod = store.list("pods", { namespace: f.namespace }).items.find((p) => p.metadata.uid === s.podUid);
      if (pod && !pod.metadata.deletionTimestamp) return notYet;
      return cured((m) => m.resource === "pods" && m.namespace === f.namespace && m.name === s.podName);
    }
    case "node-not-ready": {
      const node = store.get("nodes", undefined, s.node);
      if (node?.spec?.unschedulable !== true) return notYet;
      const stranded = store.list("pods").items.filter((o) => {
        const p = o as unknown as Pod;
        return p.spec?.nodeName === s.node && !p.metadata.deletionTimestamp && !p.metadata.ownerReferences?.some((r) => r.kind === "DaemonSet");
      });
      if (stranded.length > 0) return notYet;
      return cured((m) => (m.resource === "nodes" && m.name === s.node) || (m.resource === "pods" && m.subresource === "eviction"));
    }
  }
}

/** The user of the latest call since injection that `relevant` picks, leaving out the injection's own. */
function lastCaller(f: ActiveFault, mutations: readonly Mutation[], relevant: (m: Mutation) => boolean): string | undefined {
  const since = new Date(f.injectedAt).getTime();
  for (let i = mutations.length - 1; i >= 0; i--) {
    const m = mutations[i];
    if (!m || m.cluster !== f.cluster || f.own.includes(m) || new Date(m.at).getTime() < since) continue;
    if (relevant(m)) return m.user;
  }
  return undefined;
}
