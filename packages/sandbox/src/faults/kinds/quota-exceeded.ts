import { z } from "zod";
import { err, ok } from "@autodevops/shared";
import type { Pod } from "../../controllers/kube-shapes.js";
import { parseQuantity } from "../../controllers/quantity.js";
import type { KubeObject } from "../../store/types.js";
import { defineFault } from "../kind-def.js";
import { curedBy, notYet } from "../cure-rules.js";
import { findWorkload, livePods, targetWorkload } from "../workload-state.js";
import { by, message } from "./params.js";

type State = { quota: string; cap: number };

/**
 * The namespace's pods as a person counts them (`kubectl get pods`, Terminating ones left out):
 * a pod still terminating at injection holds a slot until it is gone, as the quota system counts it.
 */
const currentPods = (pods: readonly KubeObject[]) =>
  pods.filter((o) => {
    const p = o as unknown as Pod;
    return !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";
  }).length;

/**
 * Someone (`params.by`) puts a ResourceQuota on the target's namespace that caps pods at the
 * count running now: nothing breaks until the next scale-up or rollout, whose pods the API
 * server refuses (the ReplicaSet's FailedCreate "exceeded quota"). Raising the cap, or removing
 * the quota, so that the workload gets every replica it asks for, is the cure; deleting pods
 * only makes room for their own replacements.
 */
export const quotaExceeded = defineFault({
  params: z.strictObject({ message, by, name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS-1123 name").optional() }),
  inject(ctx, p) {
    const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace: ctx.namespace, target: ctx.target });
    if (!w.ok) return w;
    const quota = p.name ?? "compute-resources";
    if (ctx.cluster.store.get("resourcequotas", ctx.namespace, quota)) return err({ code: "bad_params", message: `bad params for quota-exceeded: ResourceQuota ${ctx.namespace}/${quota} already exists; name another with params.name` });
    const cap = currentPods(ctx.cluster.store.list("pods", { namespace: ctx.namespace }).items);
    const created = ctx.cluster.store.create("resourcequotas", {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: quota, namespace: ctx.namespace, labels: { "app.kubernetes.io/managed-by": "platform-policy" } },
      spec: { hard: { pods: String(cap) } },
    });
    if (!created.ok) return err({ code: "unknown_target", message: created.error.message });
    const own = ctx.record(p.by, { verb: "create", resource: "resourcequotas", name: quota, action: null });
    return ok({ state: { quota, cap } satisfies State, own: [own] });
  },
  // A refused pod writes nothing: only params.message, if given, shows in the target's logs.
  effects(f, ctx) {
    if (f.message === undefined || ctx.pod.metadata.namespace !== f.namespace || ctx.pod.metadata.labels?.app !== f.target) return [];
    return [{ type: "log", since: new Date(f.injectedAt), everyMs: 5_000, line: f.message }];
  },
  judgeCure(f, view) {
    const q = view.store.get("resourcequotas", f.namespace, f.state.quota);
    const hard = (q?.spec as { hard?: Record<string, string | number> } | undefined)?.hard ?? {};
    const podCap = hard.pods ?? hard["count/pods"];
    if (q && podCap !== undefined && parseQuantity(podCap) <= f.state.cap) return notYet;
    // The quota lets go: cured once the workload has the pods it asks for.
    const w = findWorkload(view.store, f.namespace, f.target);
    if (w && livePods(view.store, f.namespace, f.target).length < Number(w.object.spec?.replicas ?? 1)) return notYet;
    return curedBy(f, view, (m) => m.resource === "resourcequotas" && m.namespace === f.namespace && (m.name === f.state.quota || m.name === null));
  },
  undo(f, cluster) {
    if (!f.cured) cluster.store.delete("resourcequotas", f.namespace, f.state.quota);
  },
});
