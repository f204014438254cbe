import { z } from "zod";
import { err, ok } from "@autodevops/shared";
import { CRASH_AFTER_S, crashEffect } from "../fault-effects.js";
import { defineFault } from "../kind-def.js";
import { curedBy, notYet, onTargetWorkload } from "../cure-rules.js";
import { isTargetPod, livePods, targetWorkload } from "../workload-state.js";
import { message } from "./params.js";

/** The pods running at injection: the bad state lives in their processes, so new pods are healthy. */
type State = { podUids: string[]; podNames: string[] };

/**
 * A fault in the processes of the target's running pods: each exits soon after it starts, over
 * and over, until the pod is replaced. `crashloop` is a panic; `dependency-down` is the same on a
 * dependency (a datastore), whose callers then fail through the traffic model.
 */
function processCrash(defaultLine: string) {
  return defineFault({
    params: z.strictObject({ message }),
    inject(ctx) {
      const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace: ctx.namespace, target: ctx.target });
      if (!w.ok) return w;
      const pods = livePods(ctx.cluster.store, ctx.namespace, ctx.target);
      if (pods.length === 0) return err({ code: "unknown_target", message: `${ctx.namespace}/${ctx.target} has no running pods to crash` });
      return ok({ state: { podUids: pods.map((x) => x.metadata.uid), podNames: pods.map((x) => x.metadata.name) } satisfies State, own: [] });
    },
    effects(f, ctx) {
      if (!isTargetPod(f, ctx) || !f.state.podUids.includes(ctx.pod.metadata.uid)) return [];
      return [crashEffect(f, CRASH_AFTER_S, { exitCode: 1, reason: "Error" }, defaultLine)];
    },
    judgeCure(f, view) {
      // Every process that held the bad state is gone or on its way out.
      const left = view.store.list("pods", { namespace: f.namespace }).items.filter((p) => f.state.podUids.includes(p.metadata.uid) && !p.metadata.deletionTimestamp);
      if (left.length > 0) return notYet;
      const onTarget = onTargetWorkload(f);
      return curedBy(f, view, (m) => onTarget(m) || (m.resource === "pods" && m.namespace === f.namespace && m.name !== null && f.state.podNames.includes(m.name)));
    },
  });
}

export const crashloop = processCrash("panic: runtime error: invalid memory address or nil pointer dereference");
export const dependencyDown = processCrash("FATAL: unrecoverable error: Fatal error loading the DB: Invalid argument. Exiting.");
