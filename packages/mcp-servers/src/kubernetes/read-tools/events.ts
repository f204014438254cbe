import { z } from "zod";
import { K8sName } from "@autodevops/shared";
import { defineTool } from "../../core/define-tool.js";
import { EventRow, eventRows, listEvents } from "../events.js";
import { anyNamespaceArg, clusterArg, limitArg, type ReadDeps } from "../inputs.js";
import { capped } from "../plain.js";

/** list_events: Kubernetes events, newest first, filtered by object and type. */
export const listEventsTool = ({ clusters, now }: ReadDeps) =>
  defineTool({
    name: "list_events",
    title: "List events",
    description: "Kubernetes events (BackOff, OOMKilling, FailedScheduling, Unhealthy, NodeNotReady, ScalingReplicaSet…), newest first. Filter by namespace, the object they are about (kind and/or name), and Warning only.",
    input: z.object({
      cluster: clusterArg,
      namespace: anyNamespaceArg,
      kind: z.string().regex(/^[A-Z][A-Za-z]*$/, "expected a kind such as Pod or Deployment").optional().describe("Kind of the involved object, e.g. Pod, Deployment, Node"),
      name: K8sName.optional().describe("Name of the involved object"),
      warningsOnly: z.boolean().default(false).describe("Only events of type Warning"),
      limit: limitArg(50, 500, "events"),
    }),
    output: z.object({ events: z.array(EventRow), total: z.number(), truncated: z.boolean() }),
    kind: "read",
    run: async ({ cluster, namespace, kind, name, warningsOnly, limit }) => {
      const c = clusters.get(cluster);
      const events = await listEvents(c, { namespace, kind, name, ...(warningsOnly ? { type: "Warning" as const } : {}) });
      const { items, total, truncated } = capped(eventRows(events, now()), limit);
      return {
        summary: `${total} events${truncated ? ` (newest ${limit})` : ""}\n${items.slice(0, 15).map((e) => `${e.age} ${e.type} ${e.reason} ${e.object}: ${e.message}`).join("\n")}`,
        data: { events: items, total, truncated },
      };
    },
  });
