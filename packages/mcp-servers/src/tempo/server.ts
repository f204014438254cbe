import type { ServerSpec } from "../core/create-server.js";
import type { Upstreams } from "../upstream/upstreams.js";
import type { TempoDeps } from "./deps.js";
import { getTraceTool } from "./tools/get-trace.js";
import { searchTool } from "./tools/search.js";

export type TempoServerOptions = { upstreams: Upstreams; now?: () => Date };

/** The tempo MCP server: trace search, and one trace summarised (slowest and failing spans, critical path). */
export function tempoServer(opts: TempoServerOptions): ServerSpec {
  const deps: TempoDeps = { upstreams: opts.upstreams, now: opts.now ?? (() => new Date()) };
  return {
    name: "autodevops-tempo",
    version: "0.1.0",
    instructions:
      "Reads distributed traces from Tempo. Search with tempo_search (by service, errorsOnly, minDuration), then open a trace with tempo_get_trace: it names the slowest spans, the failing spans (the one where a failure starts first) and the critical path.",
    tools: [searchTool(deps), getTraceTool(deps)],
  };
}
