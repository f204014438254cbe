import { z } from "zod";
import type { Logger } from "@autodevops/shared";
import { buildCallGraph, ESTATE_CALL_GRAPH } from "@autodevops/scarlet";
import { callRead, type ReadToolbox } from "../agent/read-tools.js";

const Workloads = z.object({ workloads: z.array(z.object({ kind: z.string(), name: z.string(), namespace: z.string(), ready: z.string(), available: z.number(), revision: z.string().optional() })) });
const Clusters = z.object({ clusters: z.array(z.object({ name: z.string(), reachable: z.boolean() })) });

export type Health = "healthy" | "degraded" | "down" | "scaled-to-zero";
export interface EstateView {
  clusters: { name: string; reachable: boolean; namespaces: { name: string; workloads: { kind: string; name: string; ready: string; health: Health; revision?: string }[] }[] }[];
  /** Who calls whom (`namespace/name`), the graph Scarlet localizes root causes with. */
  calls: { from: string; to: string }[];
  external: string[];
}

/** A workload's health from its ready/desired count. */
export function healthOf(ready: string): Health {
  const [r, d] = ready.split("/").map(Number);
  if (d === 0) return "scaled-to-zero";
  if (r === undefined || d === undefined || !Number.isFinite(r) || !Number.isFinite(d)) return "degraded";
  return r === 0 ? "down" : r < d ? "degraded" : "healthy";
}

/** The estate as the Estate page shows it, read live through the read tools. */
export async function readEstate(toolbox: ReadToolbox, log: Logger): Promise<EstateView> {
  const listed = await callRead(toolbox, "list_clusters", {}, Clusters);
  const clusters = listed.ok ? listed.value.data.clusters : [];
  if (!listed.ok) log.warn({ err: listed.error.message }, "estate: clusters unread");
  const views = await Promise.all(
    clusters.map(async (c) => {
      const w = c.reachable ? await callRead(toolbox, "list_workloads", { cluster: c.name, limit: 500 }, Workloads) : undefined;
      const byNs = new Map<string, EstateView["clusters"][number]["namespaces"][number]["workloads"]>();
      for (const x of w?.ok ? w.value.data.workloads : []) {
        const list = byNs.get(x.namespace) ?? [];
        list.push({ kind: x.kind, name: x.name, ready: x.ready, health: healthOf(x.ready), ...(x.revision ? { revision: x.revision } : {}) });
        byNs.set(x.namespace, list);
      }
      return { name: c.name, reachable: c.reachable && (w?.ok ?? false), namespaces: [...byNs.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, workloads]) => ({ name, workloads: workloads.sort((a, b) => a.name.localeCompare(b.name)) })) };
    }),
  );
  const graph = buildCallGraph(ESTATE_CALL_GRAPH);
  const calls = [...graph.services].flatMap((from) => graph.callees(from).map((to) => ({ from, to })));
  return { clusters: views, calls, external: [...graph.external] };
}
