import { z } from "zod";
import { err, ok } from "@autodevops/shared";
import type { Pod } from "../../controllers/kube-shapes.js";
import { defineFault } from "../kind-def.js";
import { curedBy, notYet } from "../cure-rules.js";
import { message } from "./params.js";

type State = { node: string };

/**
 * The node's kubelet stops reporting Ready (or at all): its pods go Unknown and the workloads
 * lose replicas. The node stays broken; cordoning and draining it (pods evicted, so they
 * reschedule elsewhere) is the cure.
 */
export const nodeNotReady = defineFault({
  targetsNode: true,
  params: z.strictObject({ message, mode: z.enum(["NotReady", "Unreachable"]).default("NotReady") }),
  inject(ctx, p) {
    if (!ctx.cluster.store.get("nodes", undefined, ctx.target)) return err({ code: "unknown_target", message: `no node "${ctx.target}" in cluster ${ctx.cluster.name}` });
    ctx.cluster.nodeHealth.setHealth(ctx.target, p.mode);
    return ok({ state: { node: ctx.target } satisfies State, own: [] });
  },
  judgeCure(f, view) {
    const node = view.store.get("nodes", undefined, f.state.node);
    if (node?.spec?.unschedulable !== true) return notYet;
    const stranded = view.store.list("pods").items.filter((o) => {
      const p = o as unknown as Pod;
      return p.spec?.nodeName === f.state.node && !p.metadata.deletionTimestamp && !p.metadata.ownerReferences?.some((r) => r.kind === "DaemonSet");
    });
    if (stranded.length > 0) return notYet;
    return curedBy(f, view, (m) => (m.resource === "nodes" && m.name === f.state.node) || (m.resource === "pods" && m.subresource === "eviction"));
  },
  // A cordoned and drained node is still broken until the sandbox lets it go, cured or not.
  undo(f, cluster) {
    cluster.nodeHealth.setHealth(f.state.node, "Ready");
  },
});
