import { z } from "zod";
import { defineTool } from "../../core/define-tool.js";
import { clusterArg, type ReadDeps } from "../inputs.js";
import { apiMessage, k8sCall } from "../k8s-errors.js";
import { age } from "../plain.js";

/** list_clusters: the clusters this server reaches, and whether each answers now. */
export const listClustersTool = ({ clusters }: ReadDeps) =>
  defineTool({
    name: "list_clusters",
    title: "List clusters",
    description: "The Kubernetes clusters this server can reach (by the name every other tool takes as `cluster`), their kubeconfig context and API server, and whether each answers now.",
    input: z.object({}),
    output: z.object({
      clusters: z.array(z.object({ name: z.string(), context: z.string(), server: z.string(), reachable: z.boolean(), error: z.string().optional() })),
    }),
    kind: "read",
    run: async () => {
      const rows = await Promise.all(
        clusters.list().map(async (c) => {
          try {
            await c.core.listNamespace({ limit: 1 });
            return { name: c.name, context: c.context, server: c.server, reachable: true };
          } catch (e) {
            return { name: c.name, context: c.context, server: c.server, reachable: false, error: apiMessage(e) };
          }
        }),
      );
      return { summary: rows.map((r) => `${r.name} (${r.context}) ${r.reachable ? "reachable" : `unreachable: ${r.error}`}`).join("\n"), data: { clusters: rows } };
    },
  });

const POLICY_PREFIX = "autodevops.io/";

/** list_namespaces: namespaces with their phase, age and the autodevops.io policy annotations. */
export const listNamespacesTool = ({ clusters, now }: ReadDeps) =>
  defineTool({
    name: "list_namespaces",
    title: "List namespaces",
    description: "The namespaces of a cluster, with phase, age and any autodevops.io/* policy annotations (autonomy, freeze-until, maintenance).",
    input: z.object({ cluster: clusterArg }),
    output: z.object({ namespaces: z.array(z.object({ name: z.string(), phase: z.string(), age: z.string(), policy: z.record(z.string(), z.string()) })) }),
    kind: "read",
    run: async ({ cluster }) => {
      const c = clusters.get(cluster);
      const list = await k8sCall(`listing namespaces of ${cluster}`, () => c.core.listNamespace());
      const namespaces = list.items.map((ns) => ({
        name: ns.metadata?.name ?? "",
        phase: ns.status?.phase ?? "",
        age: age(ns.metadata?.creationTimestamp, now()),
        policy: Object.fromEntries(Object.entries(ns.metadata?.annotations ?? {}).filter(([k]) => k.startsWith(POLICY_PREFIX))),
      }));
      return { summary: `${namespaces.length} namespaces in ${cluster}: ${namespaces.map((n) => n.name).join(", ")}`, data: { namespaces } };
    },
  });
