import type { ServerSpec } from "../core/create-server.js";
import type { Upstreams } from "../upstream/upstreams.js";
import type { PromDeps } from "./deps.js";
import { alertsTool, rulesTool } from "./tools/alerts.js";
import { labelNamesTool, labelValuesTool, seriesTool } from "./tools/discovery.js";
import { queryRangeTool, queryTool } from "./tools/query.js";
import { targetsTool } from "./tools/targets.js";

export type PrometheusServerOptions = { upstreams: Upstreams; now?: () => Date };

/** The prometheus MCP server: PromQL queries (checked before they are sent), alerts, rules, targets, series and labels. */
export function prometheusServer(opts: PrometheusServerOptions): ServerSpec {
  const deps: PromDeps = { upstreams: opts.upstreams, now: opts.now ?? (() => new Date()) };
  return {
    name: "autodevops-prometheus",
    version: "0.1.0",
    instructions:
      "Reads metrics and alerts from Prometheus. Start with prometheus_alerts or prometheus_targets; find metric and label names with prometheus_label_values (label __name__) and prometheus_series before writing PromQL. Results are summarised (top series, min/max/last); aggregate (sum by, topk) to keep them small. Series carry a `cluster` label (prod, staging).",
    tools: [queryTool(deps), queryRangeTool(deps), alertsTool(deps), rulesTool(deps), targetsTool(deps), seriesTool(deps), labelNamesTool(deps), labelValuesTool(deps)],
  };
}
