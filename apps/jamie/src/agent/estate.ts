import { z } from "zod";
import type { Logger } from "@autodevops/shared";
import { callRead, type ReadToolbox } from "./read-tools.js";

/** What Jamie knows of the estate's names, to resolve "cart" or "staging" in a message. */
export const EstateCluster = z.object({
  name: z.string().min(1),
  namespaces: z.array(z.string()),
  workloads: z.array(z.object({ namespace: z.string(), name: z.string(), kind: z.string() })),
  nodes: z.array(z.string()),
});
export type EstateCluster = z.infer<typeof EstateCluster>;
export const Estate = z.object({ defaultCluster: z.string().min(1), clusters: z.array(EstateCluster) });
export type Estate = z.infer<typeof Estate>;

export const DEFAULT_CLUSTER = "prod";

const ClustersOut = z.object({ clusters: z.array(z.object({ name: z.string(), reachable: z.boolean() })) });
const NamespacesOut = z.object({ namespaces: z.array(z.object({ name: z.string() })) });
const WorkloadsOut = z.object({ workloads: z.array(z.object({ namespace: z.string(), name: z.string(), kind: z.string() })) });
const NodesOut = z.object({ nodes: z.array(z.object({ name: z.string() })) });

/**
 * Reads the estate's names through the read tools: clusters, and per cluster its namespaces,
 * workloads and nodes. A cluster that cannot be read keeps its name with empty lists, so the
 * message still resolves against the rest.
 */
export async function loadEstate(toolbox: ReadToolbox, log: Logger, signal?: AbortSignal): Promise<Estate> {
  const listed = await callRead(toolbox, "list_clusters", {}, ClustersOut, signal);
  const names = listed.ok ? listed.value.data.clusters.map((c) => c.name) : [DEFAULT_CLUSTER];
  if (!listed.ok) log.warn({ err: listed.error.message }, "could not list clusters; assuming prod only");
  const clusters = await Promise.all(
    names.map(async (name): Promise<EstateCluster> => {
      const [ns, wl, nodes] = await Promise.all([
        callRead(toolbox, "list_namespaces", { cluster: name }, NamespacesOut, signal),
        callRead(toolbox, "list_workloads", { cluster: name, limit: 500 }, WorkloadsOut, signal),
        callRead(toolbox, "list_nodes", { cluster: name }, NodesOut, signal),
      ]);
      for (const r of [ns, wl, nodes]) if (!r.ok) log.warn({ cluster: name, err: r.error.message }, "estate partly unread");
      return {
        name,
        namespaces: ns.ok ? ns.value.data.namespaces.map((n) => n.name) : [],
        workloads: wl.ok ? wl.value.data.workloads : [],
        nodes: nodes.ok ? nodes.value.data.nodes.map((n) => n.name) : [],
      };
    }),
  );
  const defaultCluster = names.includes(DEFAULT_CLUSTER) ? DEFAULT_CLUSTER : (names[0] ?? DEFAULT_CLUSTER);
  return { defaultCluster, clusters };
}

/**
 * The estate, read again at most every `ttlMs`: names change rarely, and every question would
 * otherwise cost three tool calls per cluster before it is even understood.
 */
export function cachedEstate(toolbox: ReadToolbox, log: Logger, opts: { ttlMs?: number; now?: () => number } = {}) {
  const ttlMs = opts.ttlMs ?? 30_000;
  const now = opts.now ?? Date.now;
  let last: { at: number; estate: Estate } | undefined;
  return async (signal?: AbortSignal): Promise<Estate> => {
    if (last && now() - last.at < ttlMs) return last.estate;
    const estate = await loadEstate(toolbox, log, signal);
    // An empty read (every server down) is not kept: the next question tries again.
    if (estate.clusters.some((c) => c.workloads.length > 0)) last = { at: now(), estate };
    return estate;
  };
}
