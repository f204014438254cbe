import type { ServerSpec } from "../core/create-server.js";
import type { Upstreams } from "../upstream/upstreams.js";
import type { LokiDeps } from "./deps.js";
import { labelsTool, labelValuesTool } from "./tools/labels.js";
import { queryRangeTool } from "./tools/query-range.js";

export type LokiServerOptions = { upstreams: Upstreams; now?: () => Date };

/** The loki MCP server: LogQL range queries summarised (levels, top errors, newest lines), labels and their values. */
export function lokiServer(opts: LokiServerOptions): ServerSpec {
  const deps: LokiDeps = { upstreams: opts.upstreams, now: opts.now ?? (() => new Date()) };
  return {
    name: "autodevops-loki",
    version: "0.1.0",
    instructions:
      'Reads container logs from Loki. Streams are labelled cluster, namespace, pod, container, app, node. Find them with loki_label_values (e.g. label pod, query {namespace="shop"}), then read with loki_query_range; answers are summarised (counts by level, top error messages, the newest lines per stream), so add line filters (|= "error") or narrow the selector to see more.',
    tools: [queryRangeTool(deps), labelsTool(deps), labelValuesTool(deps)],
  };
}
