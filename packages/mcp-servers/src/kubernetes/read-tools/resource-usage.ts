import { z } from "zod";
import { defineTool } from "../../core/define-tool.js";
import type { ClusterClients } from "../clusters.js";
import { clusterArg, labelSelectorArg, limitArg, namespaceArg, type ReadDeps } from "../inputs.js";
import { k8sCall, statusOf } from "../k8s-errors.js";
import { capped } from "../plain.js";
import { formatCpu, formatMemory, parseQuantity } from "../quantity.js";

const Resources = z.object({ cpu: z.string().optional(), memory: z.string().optional() });
const ContainerUsage = z.object({
  name: z.string(),
  requests: Resources,
  limits: Resources,
  usage: Resources.optional().describe("From metrics.k8s.io when the cluster serves it"),
  memoryOfLimit: z.string().optional().describe("usage memory / limit memory, when both are known"),
  restarts: z.number(),
  lastTermination: z.string().optional(),
});
const PodUsage = z.object({ pod: z.string(), node: z.string().optional(), phase: z.string(), containers: z.array(ContainerUsage) });

type PodMetrics = { metadata?: { name?: string }; containers?: Array<{ name: string; usage?: { cpu?: string; memory?: string } }> };

/**
 * Live usage comes from metrics.k8s.io (metrics-server) when the cluster serves it; a 404 means it
 * does not, and usage over time is the prometheus server's job (container_memory_working_set_bytes…).
 */
async function podMetrics(c: ClusterClients, namespace: string, labelSelector: string | undefined): Promise<Map<string, PodMetrics> | undefined> {
  try {
    const list = (await c.custom.listNamespacedCustomObject({ group: "metrics.k8s.io", version: "v1beta1", namespace, plural: "pods", ...(labelSelector ? { labelSelector } : {}) })) as { items?: PodMetrics[] };
    return new Map((list.items ?? []).map((m) => [m.metadata?.name ?? "", m]));
  } catch (e) {
    const status = statusOf(e);
    if (status === 404 || status === 403 || status === 503) return undefined;
    throw e;
  }
}

const pick = (r: Record<string, string> | undefined) => ({ ...(r?.cpu ? { cpu: r.cpu } : {}), ...(r?.memory ? { memory: r.memory } : {}) });

/** resource_usage: requests, limits, restarts and last termination per container, with live usage when metrics.k8s.io exists. */
export const resourceUsageTool = ({ clusters }: ReadDeps) =>
  defineTool({
    name: "resource_usage",
    title: "Resource usage",
    description:
      "Per pod and container in a namespace: CPU/memory requests and limits, restarts and the last termination reason (OOMKilled…), plus live usage when the cluster serves metrics.k8s.io. Usage over time (working set, throttling) is in the prometheus server's metrics.",
    input: z.object({ cluster: clusterArg, namespace: namespaceArg, labelSelector: labelSelectorArg, limit: limitArg(100, 500, "pods") }),
    output: z.object({
      usageSource: z.enum(["metrics.k8s.io", "none"]),
      note: z.string(),
      totals: z.object({ requests: Resources, limits: Resources }),
      pods: z.array(PodUsage),
      total: z.number(),
      truncated: z.boolean(),
    }),
    kind: "read",
    run: async ({ cluster, namespace, labelSelector, limit }) => {
      const c = clusters.get(cluster);
      const [pods, metrics] = await Promise.all([
        k8sCall(`listing pods in ${cluster}/${namespace}`, () => c.core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) })),
        k8sCall(`reading metrics.k8s.io in ${cluster}/${namespace}`, () => podMetrics(c, namespace, labelSelector)),
      ]);
      const sum = { rc: 0, rm: 0, lc: 0, lm: 0 };
      const rows = pods.items.map((p) => {
        const name = p.metadata?.name ?? "";
        const statuses = new Map((p.status?.containerStatuses ?? []).map((s) => [s.name, s]));
        const live = new Map((metrics?.get(name)?.containers ?? []).map((m) => [m.name, m.usage]));
        return {
          pod: name,
          ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
          phase: p.status?.phase ?? "Unknown",
          containers: (p.spec?.containers ?? []).map((ct) => {
            const r = ct.resources ?? {};
            sum.rc += parseQuantity(r.requests?.cpu) ?? 0;
            sum.rm += parseQuantity(r.requests?.memory) ?? 0;
            sum.lc += parseQuantity(r.limits?.cpu) ?? 0;
            sum.lm += parseQuantity(r.limits?.memory) ?? 0;
            const s = statuses.get(ct.name);
            const usage = live.get(ct.name);
            const used = parseQuantity(usage?.memory);
            const cap = parseQuantity(r.limits?.memory);
            const last = s?.lastState?.terminated?.reason;
            return {
              name: ct.name,
              requests: pick(r.requests),
              limits: pick(r.limits),
              ...(usage ? { usage: pick(usage) } : {}),
              ...(used !== undefined && cap ? { memoryOfLimit: `${Math.round((used / cap) * 100)}%` } : {}),
              restarts: s?.restartCount ?? 0,
              ...(last ? { lastTermination: last } : {}),
            };
          }),
        };
      });
      const { items, total, truncated } = capped(rows, limit);
      const usageSource = metrics ? ("metrics.k8s.io" as const) : ("none" as const);
      const note = metrics
        ? "usage is metrics-server's latest sample"
        : "this cluster serves no metrics.k8s.io: usage is not shown here; query the prometheus server (container_memory_working_set_bytes, container_cpu_usage_seconds_total) for it";
      const totals = { requests: { cpu: formatCpu(sum.rc), memory: formatMemory(sum.rm) }, limits: { cpu: formatCpu(sum.lc), memory: formatMemory(sum.lm) } };
      return {
        summary: `${total} pods in ${cluster}/${namespace}: requests ${totals.requests.cpu} CPU / ${totals.requests.memory}, limits ${totals.limits.cpu} CPU / ${totals.limits.memory}; ${note}`,
        data: { usageSource, note, totals, pods: items, total, truncated },
      };
    },
  });
