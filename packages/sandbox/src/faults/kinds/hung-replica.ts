import { z } from "zod";
import { err, ok } from "@autodevops/shared";
import { defineFault } from "../kind-def.js";
import { curedBy, notYet } from "../cure-rules.js";
import { isTargetPod, livePods, targetWorkload } from "../workload-state.js";
import { message } from "./params.js";

type State = { podUid: string; podName: string };

/** One replica deadlocks: Running but not Ready, silent, killed only at the end of its grace period. */
export const hungReplica = defineFault({
  params: z.strictObject({ message, pod: z.string().min(1).optional() }),
  inject(ctx, p) {
    const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace: ctx.namespace, target: ctx.target });
    if (!w.ok) return w;
    const pods = livePods(ctx.cluster.store, ctx.namespace, ctx.target).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const pod = p.pod !== undefined ? pods.find((x) => x.metadata.name === p.pod) : pods[0];
    if (!pod) return err({ code: "unknown_target", message: p.pod !== undefined ? `no pod "${p.pod}" of ${ctx.namespace}/${ctx.target}` : `${ctx.namespace}/${ctx.target} has no running pods` });
    return ok({ state: { podUid: pod.metadata.uid, podName: pod.metadata.name } satisfies State, own: [] });
  },
  effects(f, ctx) {
    if (!isTargetPod(f, ctx) || ctx.pod.metadata.uid !== f.state.podUid) return [];
    return [{ type: "hang", since: new Date(f.injectedAt), line: f.message ?? 'level=warn msg="worker pool exhausted, waiting for lock" goroutines=512' }];
  },
  judgeCure(f, view) {
    const pod = view.store.list("pods", { namespace: f.namespace }).items.find((p) => p.metadata.uid === f.state.podUid);
    if (pod && !pod.metadata.deletionTimestamp) return notYet;
    return curedBy(f, view, (m) => m.resource === "pods" && m.namespace === f.namespace && m.name === f.state.podName);
  },
});
