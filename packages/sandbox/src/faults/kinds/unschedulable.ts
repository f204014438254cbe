import { z } from "zod";
import { err, ok } from "@autodevops/shared";
import { typed, type Deployment, type Node, type Pod } from "../../controllers/kube-shapes.js";
import { cpuMilli, formatCpu } from "../../controllers/quantity.js";
import { nodeInfos } from "../../controllers/scheduling.js";
import { CHANGE_CAUSE } from "../../estate/workload-objects.js";
import { defineFault, type CureView, type KindFault } from "../kind-def.js";
import { curedBy, notYet, onTargetWorkload } from "../cure-rules.js";
import { containersOf, findWorkload, livePods, targetWorkload, templateOf } from "../workload-state.js";
import { by, message } from "./params.js";

type Json = Record<string, unknown>;
type State = { previousTemplate: Json; previousChangeCause: string | undefined; cpuMilli: number };

/** A CPU quantity as the API accepts it (`2500m`, `2.5`, `3`; the CLI sends a bare number as one). */
const cpu = z
  .union([z.string().regex(/^\d+(\.\d+)?m?$/, "a CPU quantity such as 2500m or 3"), z.number().positive().transform(String)])
  .optional();

/** Whether a pod waits for a node because none has room (PodScheduled=False, Unschedulable). */
const isUnschedulable = (p: Pod) => !p.spec?.nodeName && p.status?.conditions?.some((c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable") === true;

function rolledOut(d: Deployment): boolean {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  return s.observedGeneration === d.metadata.generation && (s.updatedReplicas ?? 0) === want && (s.availableReplicas ?? 0) === want && (s.replicas ?? 0) === want;
}

const CAPACITY_RESOURCES = new Set(["deployments", "statefulsets", "replicasets", "daemonsets", "pods", "nodes"]);

/** Who made the room: the change to the target's requests if that is what cured, else the latest call that could free capacity. */
function whoMadeRoom(f: KindFault<State>, view: CureView, requestNow: number) {
  if (requestNow < f.state.cpuMilli) return curedBy(f, view, onTargetWorkload(f));
  return curedBy(f, view, (m) => CAPACITY_RESOURCES.has(m.resource));
}

/**
 * A rollout (by `params.by`) raises the target's CPU request past what any node has free (by
 * default ten times the current request, a `250m` → `2500m` slip, or more if that still fits):
 * the surge pod stays Pending with FailedScheduling "0/3 nodes are available: 3 Insufficient
 * cpu", the rollout stalls, the old pods go on serving. Lowering the request (or rolling back)
 * or freeing capacity, so the rollout completes, is the cure; no action is a safe automatic one.
 */
export const unschedulable = defineFault({
  params: z.strictObject({ message, by, cpu }),
  inject(ctx, p) {
    const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace: ctx.namespace, target: ctx.target });
    if (!w.ok) return w;
    if (w.value.ref.resource !== "apps/deployments") return err({ code: "unknown_target", message: `unschedulable needs a Deployment; ${ctx.namespace}/${ctx.target} is a StatefulSet` });
    const infos = nodeInfos(
      ctx.cluster.store.list("nodes").items.map((o) => typed<Node>(o)),
      ctx.cluster.store.list("pods").items.map((o) => typed<Pod>(o)),
    );
    const maxFree = Math.max(0, ...infos.filter((i) => !i.unschedulable).map((i) => i.allocatable.cpuMilli - i.requested.cpuMilli));
    const current = cpuMilli(w.value.first.resources?.requests?.cpu ?? w.value.first.resources?.limits?.cpu) || 100;
    let want: number;
    if (p.cpu !== undefined) {
      want = cpuMilli(p.cpu);
      if (want <= maxFree) return err({ code: "bad_params", message: `bad params for unschedulable: cpu ${p.cpu} fits a node (${formatCpu(maxFree)} free), so no pod would be Pending; ask for more than ${formatCpu(maxFree)}` });
    } else want = Math.ceil(Math.max(current * 10, maxFree + 100) / 100) * 100;
    const previousTemplate = templateOf(w.value.object);
    const previousChangeCause = w.value.object.metadata.annotations?.[CHANGE_CAUSE];
    const written = ctx.cluster.store.mutate("apps/deployments", ctx.namespace, ctx.target, (d) => {
      const c = containersOf((d.spec?.template ?? {}) as Json)[0];
      if (!c) return false;
      const limit = c.resources?.limits?.cpu;
      // A request above the limit is invalid, so the change raises the limit with it.
      const limits = limit !== undefined && cpuMilli(limit) < want ? { ...c.resources?.limits, cpu: formatCpu(want) } : c.resources?.limits;
      c.resources = { ...c.resources, requests: { ...c.resources?.requests, cpu: formatCpu(want) }, ...(limits ? { limits } : {}) };
      d.metadata.annotations = { ...d.metadata.annotations, [CHANGE_CAUSE]: `resize: cpu request ${formatCpu(want)}` };
    });
    if (!written.ok) return err({ code: "unknown_target", message: written.error.message });
    const own = ctx.record(p.by, { verb: "patch", resource: "deployments", name: ctx.target, action: "set-resources" });
    return ok({ state: { previousTemplate, previousChangeCause, cpuMilli: want } satisfies State, own: [own] });
  },
  // A Pending pod writes nothing; params.message, if given, shows in the serving pods' logs.
  effects(f, ctx) {
    if (f.message === undefined || ctx.pod.metadata.namespace !== f.namespace || ctx.pod.metadata.labels?.app !== f.target) return [];
    return [{ type: "log", since: new Date(f.injectedAt), everyMs: 5_000, line: f.message }];
  },
  judgeCure(f, view) {
    const w = findWorkload(view.store, f.namespace, f.target);
    if (!w) return notYet;
    if (livePods(view.store, f.namespace, f.target).some(isUnschedulable)) return notYet;
    if (!rolledOut(typed<Deployment>(w.object))) return notYet;
    const first = containersOf(templateOf(w.object))[0];
    return whoMadeRoom(f, view, cpuMilli(first?.resources?.requests?.cpu ?? first?.resources?.limits?.cpu));
  },
  undo(f, cluster) {
    if (f.cured) return;
    cluster.store.mutate("apps/deployments", f.namespace, f.target, (d) => {
      d.spec = { ...d.spec, template: structuredClone(f.state.previousTemplate) };
      const annotations = { ...d.metadata.annotations };
      if (f.state.previousChangeCause === undefined) delete annotations[CHANGE_CAUSE];
      else annotations[CHANGE_CAUSE] = f.state.previousChangeCause;
      d.metadata.annotations = annotations;
    });
  },
});
