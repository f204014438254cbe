import { z } from "zod";
import { err, ok } from "@autodevops/shared";
import { WORKLOADS } from "../../estate/workloads.js";
import { serviceStates, takeSnapshot } from "../../telemetry/cluster-snapshot.js";
import { CALL_TIMEOUT_MS } from "../../telemetry/traffic-model.js";
import { defineFault } from "../kind-def.js";
import { curedBy, notYet } from "../cure-rules.js";
import { targetWorkload, templateOf } from "../workload-state.js";
import { by, message } from "./params.js";

type State = { policy: string; callers: { name: string; namespace: string }[] };

/** The callers whose connections the cluster's NetworkPolicies now drop, as the traffic model reads them. */
function blockedCallers(store: Parameters<typeof takeSnapshot>[0], target: string): ReadonlySet<string> {
  return serviceStates(takeSnapshot(store)).find((s) => s.name === target)?.unreachableFrom ?? new Set();
}

/**
 * Someone (`params.by`, a security hardening change) applies a NetworkPolicy that selects the
 * target's pods and admits ingress only from the monitoring namespace: its callers' connections
 * are dropped, so they wait out their timeouts (504s, spans timing out), the target sees no
 * requests and its pods look healthy. Changing or removing the policy so the callers get
 * through again is the cure; restarting anything is not.
 */
export const networkPolicyBlock = defineFault({
  params: z.strictObject({ message, by, name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS-1123 name").optional() }),
  inject(ctx, p) {
    const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace: ctx.namespace, target: ctx.target });
    if (!w.ok) return w;
    const callers = WORKLOADS.filter((x) => x.calls.includes(ctx.target)).map((x) => ({ name: x.name, namespace: x.namespace }));
    if (callers.length === 0) return err({ code: "unknown_target", message: `nothing in the estate calls ${ctx.namespace}/${ctx.target}: a NetworkPolicy would block nobody` });
    const policy = p.name ?? `${ctx.target}-ingress`;
    if (ctx.cluster.store.get("networking.k8s.io/networkpolicies", ctx.namespace, policy)) {
      return err({ code: "bad_params", message: `bad params for network-policy-block: NetworkPolicy ${ctx.namespace}/${policy} already exists; name another with params.name` });
    }
    const app = ((templateOf(w.value.object).metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {}).app ?? ctx.target;
    const created = ctx.cluster.store.create("networking.k8s.io/networkpolicies", {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: policy, namespace: ctx.namespace, annotations: { "policy.example.com/ticket": "SEC-2291 restrict ingress to scrapers" } },
      spec: {
        podSelector: { matchLabels: { app } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] }],
      },
    });
    if (!created.ok) return err({ code: "unknown_target", message: created.error.message });
    const own = ctx.record(p.by, { verb: "create", resource: "networkpolicies", name: policy, action: null });
    return ok({ state: { policy, callers } satisfies State, own: [own] });
  },
  effects(f, ctx) {
    const caller = f.state.callers.find((c) => c.namespace === ctx.pod.metadata.namespace && c.name === ctx.pod.metadata.labels?.app);
    if (!caller || ctx.cluster !== f.cluster) return [];
    const upstream = `${f.target}.${f.namespace}.svc.cluster.local`;
    const line =
      f.message ??
      JSON.stringify({ level: "error", msg: "upstream request failed", service: caller.name, upstream, error: `dial tcp ${upstream}: i/o timeout (Client.Timeout exceeded while awaiting headers)`, duration_ms: CALL_TIMEOUT_MS });
    return [{ type: "log", since: new Date(f.injectedAt), everyMs: 2_000, line }];
  },
  judgeCure(f, view) {
    if (blockedCallers(view.store, f.target).size > 0) return notYet;
    return curedBy(f, view, (m) => m.resource === "networkpolicies" && m.namespace === f.namespace);
  },
  undo(f, cluster) {
    if (!f.cured) cluster.store.delete("networking.k8s.io/networkpolicies", f.namespace, f.state.policy);
  },
});
