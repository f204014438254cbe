import { z } from "zod";
import { K8sName } from "@autodevops/shared";
import { defineTool } from "../../core/define-tool.js";
import { ToolError } from "../../core/tool-error.js";
import { anyNamespaceArg, clusterArg, labelSelectorArg, limitArg, namespaceArg, type ReadDeps } from "../inputs.js";
import { k8sCall } from "../k8s-errors.js";
import { capped } from "../plain.js";
import { PodRow, podRow } from "../pod-status.js";

/** list_pods: pods with kubectl's STATUS reason, readiness, restarts, last termination and node. */
export const listPodsTool = ({ clusters, now }: ReadDeps) =>
  defineTool({
    name: "list_pods",
    title: "List pods",
    description:
      "Pods with phase, kubectl's STATUS reason (CrashLoopBackOff, OOMKilled, ImagePullBackOff, CreateContainerConfigError, Terminating…), ready containers, restarts, the last termination reason, node and age. Filter by namespace, label selector, node, or only pods that are not healthy.",
    input: z.object({
      cluster: clusterArg,
      namespace: anyNamespaceArg,
      labelSelector: labelSelectorArg,
      node: K8sName.optional().describe("Only pods on this node"),
      unhealthyOnly: z.boolean().default(false).describe("Only pods that are not Running with every container ready (and not Succeeded)"),
      limit: limitArg(200, 1000, "pods"),
    }),
    output: z.object({ pods: z.array(PodRow), total: z.number(), truncated: z.boolean() }),
    kind: "read",
    run: async ({ cluster, namespace, labelSelector, node, unhealthyOnly, limit }) => {
      const c = clusters.get(cluster);
      const q = { ...(labelSelector ? { labelSelector } : {}), ...(node ? { fieldSelector: `spec.nodeName=${node}` } : {}) };
      const where = `${cluster}${namespace ? `/${namespace}` : ""}`;
      const list = await k8sCall(`listing pods in ${where}`, () => (namespace ? c.core.listNamespacedPod({ namespace, ...q }) : c.core.listPodForAllNamespaces(q)));
      const t = now();
      const all = list.items.map((p) => podRow(p, t)).sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
      const healthy = (p: PodRow) => p.phase === "Succeeded" || (p.status === "Running" && p.ready.split("/")[0] === p.ready.split("/")[1]);
      const rows = unhealthyOnly ? all.filter((p) => !healthy(p)) : all;
      const { items, total, truncated } = capped(rows, limit);
      const bad = all.filter((p) => !healthy(p));
      return {
        summary: `${all.length} pods in ${where}${labelSelector ? ` matching ${labelSelector}` : ""}; ${bad.length} not healthy${bad.length ? `: ${bad.slice(0, 20).map((p) => `${p.name} ${p.status}`).join(", ")}` : ""}${truncated ? ` (showing ${limit} of ${total})` : ""}`,
        data: { pods: items, total, truncated },
      };
    },
  });

/** The most log text one call returns: the tail is kept, since the latest lines matter most. */
export const MAX_LOG_CHARS = 16_000;

/** pod_logs: the tail of a container's log (or of its previous run), bounded. */
export const podLogsTool = ({ clusters }: ReadDeps) =>
  defineTool({
    name: "pod_logs",
    title: "Pod logs",
    description: `The last lines of a pod container's log, or of its previous (crashed) run with previous: true — where a panic or OOM shows. Bounded: at most 2000 lines and the last ${MAX_LOG_CHARS} characters.`,
    input: z.object({
      cluster: clusterArg,
      namespace: namespaceArg,
      pod: K8sName.describe("The pod's name (list_pods)"),
      container: K8sName.optional().describe("Container name; default the pod's first container"),
      tailLines: z.number().int().min(1).max(2000).default(100).describe("How many of the last lines (default 100, max 2000)"),
      sinceSeconds: z.number().int().min(1).max(7 * 86400).optional().describe("Only lines from the last this many seconds"),
      previous: z.boolean().default(false).describe("The previous run of the container (after a crash or restart)"),
    }),
    output: z.object({ pod: z.string(), container: z.string(), previous: z.boolean(), lines: z.number(), truncated: z.boolean(), log: z.string() }),
    kind: "read",
    run: async ({ cluster, namespace, pod, container, tailLines, sinceSeconds, previous }) => {
      const c = clusters.get(cluster);
      let name = container;
      if (!name) {
        const p = await k8sCall(`reading pod ${namespace}/${pod} in ${cluster}`, () => c.core.readNamespacedPod({ name: pod, namespace }));
        name = p.spec?.containers[0]?.name;
        if (!name) throw new ToolError(`pod ${namespace}/${pod} has no containers`);
      }
      const text = await k8sCall(`reading the log of ${namespace}/${pod}/${name} in ${cluster}${previous ? " (previous run)" : ""}`, () =>
        c.core.readNamespacedPodLog({ name: pod, namespace, container: name, tailLines, previous, limitBytes: 2_000_000, ...(sinceSeconds ? { sinceSeconds } : {}) }),
      );
      const full = String(text ?? "");
      const truncated = full.length > MAX_LOG_CHARS;
      const cut = truncated ? full.slice(full.indexOf("\n", full.length - MAX_LOG_CHARS) + 1) : full;
      const lines = cut.split("\n").filter((l) => l !== "").length;
      return {
        summary: `${lines} log lines of ${namespace}/${pod} container ${name}${previous ? " (previous run)" : ""}${truncated ? "; earlier lines left out (lower tailLines or use sinceSeconds)" : ""}`,
        data: { pod, container: name, previous, lines, truncated, log: cut },
      };
    },
  });
