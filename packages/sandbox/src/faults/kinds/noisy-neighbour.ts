import { z } from "zod";
import { err, ok } from "@autodevops/shared";
import { typed, type Node, type Pod } from "../../controllers/kube-shapes.js";
import { bytes } from "../../controllers/quantity.js";
import { CHANGE_CAUSE } from "../../estate/workload-objects.js";
import type { ClusterStore } from "../../store/cluster-store.js";
import { defineFault, type CureView, type KindFault } from "../kind-def.js";
import { curedBy, notYet } from "../cure-rules.js";
import { containersOf, livePods, targetWorkload, templateOf, workloadOfPod } from "../workload-state.js";
import { by, message } from "./params.js";

type Json = Record<string, unknown>;
type State = { node: string; namespace: string; workload: string; memoryBytes: number; previousTemplate: Json; previousChangeCause: string | undefined };

const HOSTNAME = "kubernetes.io/hostname";
const unbounded = (p: Pod) => (p.spec?.containers ?? []).some((c) => c.resources?.limits?.memory === undefined);

/** The culprit's pods running unbounded on the node now. */
function culpritsOnNode(store: Pick<ClusterStore, "list">, s: State): Pod[] {
  return livePods(store, s.namespace, s.workload).filter((p) => p.spec?.nodeName === s.node && p.status?.phase === "Running" && unbounded(p));
}

const onCulprit = (f: KindFault<State>, view: CureView) =>
  curedBy(f, view, (m) => m.namespace === f.state.namespace && m.name === f.state.workload && (m.resource === "deployments" || m.resource === "replicasets"));

/**
 * `target` is a node. A rollout (by `params.by`) of `params.workload` (default batch/report-gen)
 * pins it to that node with its limits lifted, and its pod eats the node's memory: the node
 * reports MemoryPressure (tainted memory-pressure:NoSchedule), its kubelet evicts the other pods
 * one by one (Failed, Evicted), the culprit's working set fills cAdvisor. Scaling the culprit
 * to 0 or giving it a memory limit (a rollback restores one) is the cure; deleting its pod
 * brings the same pod back, and evicted neighbours only land elsewhere.
 */
export const noisyNeighbour = defineFault({
  targetsNode: true,
  params: z.strictObject({
    message,
    by,
    workload: z.string().min(1).default("report-gen"),
    /** The culprit's working set; default 95 % of the node's allocatable memory. */
    memoryMi: z.number().positive().optional(),
  }),
  inject(ctx, p) {
    const nodeObj = ctx.cluster.store.get("nodes", undefined, ctx.target);
    if (!nodeObj) return err({ code: "unknown_target", message: `no node "${ctx.target}" in cluster ${ctx.cluster.name}` });
    const node = typed<Node>(nodeObj);
    const namespace = ctx.namespace || "batch";
    const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace, target: p.workload });
    if (!w.ok) return w;
    if (w.value.ref.resource !== "apps/deployments") return err({ code: "bad_params", message: `bad params for noisy-neighbour: workload ${namespace}/${p.workload} is a StatefulSet; name a Deployment` });
    const allocatable = bytes(node.status?.allocatable?.memory ?? node.status?.capacity?.memory);
    const memoryBytes = p.memoryMi !== undefined ? p.memoryMi * 2 ** 20 : Math.round(0.95 * allocatable);
    const previousTemplate = templateOf(w.value.object);
    const previousChangeCause = w.value.object.metadata.annotations?.[CHANGE_CAUSE];
    const written = ctx.cluster.store.mutate("apps/deployments", namespace, p.workload, (d) => {
      const template = (d.spec?.template ?? {}) as { spec?: Json };
      for (const c of containersOf(template as Json)) if (c.resources) delete c.resources.limits;
      template.spec = { ...template.spec, nodeSelector: { ...((template.spec?.nodeSelector as Record<string, string> | undefined) ?? {}), [HOSTNAME]: ctx.target } };
      d.metadata.annotations = { ...d.metadata.annotations, [CHANGE_CAUSE]: `backfill: run ${p.workload} on ${ctx.target} (local scratch), limits lifted for the quarter-end reports` };
    });
    if (!written.ok) return err({ code: "unknown_target", message: written.error.message });
    const own = ctx.record(p.by, { verb: "patch", resource: "deployments", name: p.workload, action: null });
    // The recorder puts the request's namespace on the entry; the patch was on the workload's.
    own.namespace = namespace;
    const state: State = { node: ctx.target, namespace, workload: p.workload, memoryBytes, previousTemplate, previousChangeCause };
    const container = containersOf(previousTemplate)[0]?.name ?? p.workload;
    ctx.cluster.nodeHealth.setMemoryHog(ctx.target, {
      active: () => culpritsOnNode(ctx.cluster.store, state).length > 0,
      isHog: (pod) => pod.metadata.namespace === namespace && workloadOfPod(pod as Pod) === p.workload,
      usage: { container, bytes: memoryBytes },
    });
    return ok({ state, own: [own] });
  },
  effects(f, ctx) {
    const s = f.state;
    if (ctx.pod.metadata.namespace !== s.namespace || workloadOfPod(ctx.pod) !== s.workload || ctx.node !== s.node || !unbounded(ctx.pod)) return [];
    const line = f.message ?? JSON.stringify({ level: "warn", msg: "report cache growing", service: s.workload, cached_rows: 48_200_000, heap_mib: Math.round(s.memoryBytes / 2 ** 20) });
    return [{ type: "log", since: new Date(f.injectedAt), everyMs: 5_000, line }];
  },
  modifiers(f) {
    return [{ service: f.state.workload, modifier: { memoryMiB: f.state.memoryBytes / 2 ** 20 } }];
  },
  judgeCure(f, view) {
    const w = view.store.get("apps/deployments", f.state.namespace, f.state.workload);
    const scaledDown = !w || Number(w.spec?.replicas ?? 1) === 0;
    const limited = w !== undefined && containersOf(templateOf(w)).every((c) => c.resources?.limits?.memory !== undefined);
    if (!scaledDown && !limited) return notYet;
    if (culpritsOnNode(view.store, f.state).length > 0) return notYet;
    return onCulprit(f, view);
  },
  undo(f, cluster) {
    cluster.nodeHealth.setMemoryHog(f.state.node, undefined);
    if (f.cured) return;
    cluster.store.mutate("apps/deployments", f.state.namespace, f.state.workload, (d) => {
      d.spec = { ...d.spec, template: structuredClone(f.state.previousTemplate) };
      const annotations = { ...d.metadata.annotations };
      if (f.state.previousChangeCause === undefined) delete annotations[CHANGE_CAUSE];
      else annotations[CHANGE_CAUSE] = f.state.previousChangeCause;
      d.metadata.annotations = annotations;
    });
  },
});
