import type { V1Pod } from "@kubernetes/client-node";
import { ActionParams } from "@autodevops/shared";
import type { ClusterClients } from "../clusters.js";
import { apiMessage, k8sCall, statusOf } from "../k8s-errors.js";
import { cordon } from "./cordon.js";
import { writeTool, type Eviction, type WriteDeps } from "./write-tool.js";

const MIRROR = "kubernetes.io/config.mirror";

/** Pods drain leaves alone, as kubectl drain --ignore-daemonsets does: DaemonSet pods and static (mirror) pods. */
function skipReason(p: V1Pod): string | undefined {
  if (p.metadata?.ownerReferences?.some((o) => o.kind === "DaemonSet")) return "DaemonSet pod";
  if (p.metadata?.annotations?.[MIRROR] !== undefined) return "static pod";
  if (p.metadata?.deletionTimestamp) return "already terminating";
  return undefined;
}

/** Asks the Eviction API (policy/v1) to evict one pod; a PodDisruptionBudget's 429 is a refusal, not a failure. */
async function evict(c: ClusterClients, p: V1Pod, dryRun: boolean, gracePeriodSeconds: number | undefined): Promise<Eviction> {
  const name = p.metadata?.name ?? "";
  const namespace = p.metadata?.namespace ?? "";
  try {
    await c.core.createNamespacedPodEviction({
      name,
      namespace,
      body: {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name, namespace },
        ...(gracePeriodSeconds !== undefined || dryRun ? { deleteOptions: { ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}), ...(dryRun ? { dryRun: ["All"] } : {}) } } : {}),
      },
      ...(dryRun ? { dryRun: "All" } : {}),
    });
    return { pod: name, namespace, outcome: dryRun ? "would-evict" : "evicted" };
  } catch (e) {
    const status = statusOf(e);
    if (status === 429) return { pod: name, namespace, outcome: "refused", message: apiMessage(e) };
    if (status === 404) return { pod: name, namespace, outcome: "gone" };
    return { pod: name, namespace, outcome: "failed", message: apiMessage(e) };
  }
}

/** drain_node: cordons the node, then evicts every pod but DaemonSet and static pods through the Eviction API. */
export const drainNodeTool = (deps: WriteDeps) =>
  writeTool(
    {
      kind: "drain-node",
      title: "Drain a node",
      description:
        "Cordons a node, then evicts its pods through the Eviction API (policy/v1), as kubectl drain --ignore-daemonsets does: DaemonSet and static pods stay, PodDisruptionBudgets are honoured (a refused eviction is reported, not forced). The dry run lists the pods that would be evicted.",
      params: ActionParams["drain-node"],
      target: "The node, e.g. node-b",
      nodeAction: true,
      perform: async ({ c, target, params, dryRun }) => {
        const cordoned = await cordon(c, target, dryRun);
        const pods = await k8sCall(`listing pods on ${target} in ${c.name}`, () => c.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${target}` }));
        const toEvict = pods.items.filter((p) => !skipReason(p));
        const skipped = pods.items.filter((p) => skipReason(p)).map((p) => `${p.metadata?.namespace}/${p.metadata?.name} (${skipReason(p)})`);
        // One at a time, as kubectl does, so each eviction sees the budgets the previous ones left.
        const evictions: Eviction[] = [];
        for (const p of toEvict) evictions.push(await evict(c, p, dryRun, params.gracePeriodSeconds));
        const refused = evictions.filter((e) => e.outcome === "refused" || e.outcome === "failed");
        const notes = [
          ...(cordoned.changed ? [] : ["the node was already cordoned"]),
          ...(skipped.length ? [`left alone: ${skipped.join(", ")}`] : []),
          ...(refused.length ? [`${refused.length} eviction(s) ${dryRun ? "would be " : ""}refused: ${refused.map((e) => `${e.namespace}/${e.pod}: ${e.message ?? e.outcome}`).join("; ")}; retry the drain once the budget allows`] : []),
          ...(dryRun && evictions.length > 1 ? ["each dry-run eviction is checked against the budgets as they are now, not after the ones before it"] : []),
        ];
        return {
          changed: cordoned.changed || evictions.some((e) => e.outcome === "evicted" || e.outcome === "would-evict"),
          diff: cordoned.diff,
          state: {
            node: target,
            unschedulable: true,
            podsOnNode: pods.items.length,
            [dryRun ? "wouldEvict" : "evicted"]: evictions.filter((e) => e.outcome === "evicted" || e.outcome === "would-evict").length,
            refused: refused.length,
            leftAlone: skipped.length,
          },
          evictions,
          notes,
        };
      },
    },
    deps,
  );
