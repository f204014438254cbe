import { z } from "zod";
import { err, ok } from "@autodevops/shared";
import { defineFault } from "../kind-def.js";
import { curedBy, notYet, onTargetWorkload } from "../cure-rules.js";
import { findWorkload, pluralOf, targetWorkload } from "../workload-state.js";
import { by, message } from "./params.js";

type State = { previousReplicas: number };

/** Someone (`params.by`) scales the workload to 0; callers get 503 until it is scaled back. */
export const scaledToZero = defineFault({
  params: z.strictObject({ message, by }),
  inject(ctx, p) {
    const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace: ctx.namespace, target: ctx.target });
    if (!w.ok) return w;
    const previousReplicas = Number(w.value.object.spec?.replicas ?? 1);
    if (previousReplicas === 0) return err({ code: "unknown_target", message: `${ctx.namespace}/${ctx.target} is already at 0 replicas` });
    const written = ctx.cluster.store.mutate(w.value.ref.resource, ctx.namespace, ctx.target, (d) => {
      d.spec = { ...d.spec, replicas: 0 };
    });
    if (!written.ok) return err({ code: "unknown_target", message: written.error.message });
    const own = ctx.record(p.by, { verb: "patch", resource: pluralOf(w.value.ref), name: ctx.target, subresource: "scale", action: "scale" });
    return ok({ state: { previousReplicas } satisfies State, own: [own] });
  },
  judgeCure(f, view) {
    const w = findWorkload(view.store, f.namespace, f.target);
    if (!w || Number(w.object.spec?.replicas ?? 0) < f.state.previousReplicas) return notYet;
    return curedBy(f, view, onTargetWorkload(f));
  },
  undo(f, cluster) {
    if (f.cured) return;
    const w = findWorkload(cluster.store, f.namespace, f.target);
    if (w) cluster.store.mutate(w.ref.resource, f.namespace, f.target, (d) => void (d.spec = { ...d.spec, replicas: f.state.previousReplicas }));
  },
});
