import { z } from "zod";
import { err, ok } from "@autodevops/shared";
import type { Container } from "../../controllers/kube-shapes.js";
import { defineFault } from "../kind-def.js";
import { curedBy, notYet } from "../cure-rules.js";
import { containersOf, targetWorkload, templateOf } from "../workload-state.js";
import { by, message } from "./params.js";

type State = { configMap: string; key: string; value: string };

function configMapRefs(containers: Container[]): { name: string; key: string }[] {
  return containers.flatMap((c) =>
    (c.env ?? []).flatMap((e) => {
      const r = e.valueFrom?.configMapKeyRef;
      return r?.name && r.optional !== true ? [{ name: r.name, key: r.key }] : [];
    }),
  );
}

/**
 * Someone removes a ConfigMap key the pods need: running pods carry on, restarted ones fail with
 * CreateContainerConfigError (the kubelet checks references), so only restoring the key cures.
 */
export const configError = defineFault({
  params: z.strictObject({ message, by, key: z.string().min(1).optional() }),
  inject(ctx, p) {
    const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace: ctx.namespace, target: ctx.target });
    if (!w.ok) return w;
    const refs = configMapRefs(containersOf(templateOf(w.value.object)));
    const chosen = p.key !== undefined ? refs.find((r) => r.key === p.key) : refs[0];
    if (!chosen) return err({ code: "bad_params", message: p.key !== undefined ? `${ctx.namespace}/${ctx.target} reads no ConfigMap key "${p.key}"` : `${ctx.namespace}/${ctx.target} reads no ConfigMap key` });
    const cm = ctx.cluster.store.get("configmaps", ctx.namespace, chosen.name);
    const value = (cm?.data as Record<string, string> | undefined)?.[chosen.key];
    if (!cm || value === undefined) return err({ code: "unknown_target", message: `ConfigMap ${ctx.namespace}/${chosen.name} has no key "${chosen.key}"` });
    const written = ctx.cluster.store.mutate("configmaps", ctx.namespace, chosen.name, (o) => {
      const data = { ...(o.data as Record<string, string>) };
      delete data[chosen.key];
      o.data = data;
    });
    if (!written.ok) return err({ code: "unknown_target", message: written.error.message });
    const own = ctx.record(p.by, { verb: "patch", resource: "configmaps", name: chosen.name, action: null });
    return ok({ state: { configMap: chosen.name, key: chosen.key, value } satisfies State, own: [own] });
  },
  judgeCure(f, view) {
    const data = view.store.get("configmaps", f.namespace, f.state.configMap)?.data as Record<string, string> | undefined;
    if (data?.[f.state.key] === undefined) return notYet;
    return curedBy(f, view, (m) => m.resource === "configmaps" && m.namespace === f.namespace && m.name === f.state.configMap);
  },
  undo(f, cluster) {
    if (f.cured) return;
    cluster.store.mutate("configmaps", f.namespace, f.state.configMap, (o) => {
      o.data = { ...(o.data as Record<string, string>), [f.state.key]: f.state.value };
    });
  },
});
