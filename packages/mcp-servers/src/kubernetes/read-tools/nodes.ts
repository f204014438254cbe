import { z } from "zod";
import { defineTool } from "../../core/define-tool.js";
import { clusterArg, type ReadDeps } from "../inputs.js";
import { k8sCall } from "../k8s-errors.js";
import { NodeRow, nodeRow } from "../node-summary.js";

/** list_nodes: nodes with conditions, taints, cordon state, capacity and allocatable, and their pod count. */
export const listNodesTool = ({ clusters, now }: ReadDeps) =>
  defineTool({
    name: "list_nodes",
    title: "List nodes",
    description: "The cluster's nodes: Ready and pressure conditions (MemoryPressure, DiskPressure…), taints, whether cordoned (unschedulable), capacity and allocatable CPU/memory/pods, and how many pods each runs.",
    input: z.object({ cluster: clusterArg }),
    output: z.object({ nodes: z.array(NodeRow.extend({ pods: z.number() })) }),
    kind: "read",
    run: async ({ cluster }) => {
      const c = clusters.get(cluster);
      const [nodes, pods] = await Promise.all([
        k8sCall(`listing nodes of ${cluster}`, () => c.core.listNode()),
        k8sCall(`listing pods of ${cluster}`, () => c.core.listPodForAllNamespaces({ fieldSelector: "status.phase!=Succeeded,status.phase!=Failed" })),
      ]);
      const perNode = new Map<string, number>();
      for (const p of pods.items) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
      const t = now();
      const rows = nodes.items.map((n) => ({ ...nodeRow(n, t), pods: perNode.get(n.metadata?.name ?? "") ?? 0 }));
      return {
        summary: rows.map((n) => `${n.name} Ready=${n.ready}${n.unschedulable ? " SchedulingDisabled" : ""} pods=${n.pods}${n.conditions.filter((x) => x.type !== "Ready" && x.status === "True").map((x) => ` ${x.type}`).join("")}`).join("\n"),
        data: { nodes: rows },
      };
    },
  });
