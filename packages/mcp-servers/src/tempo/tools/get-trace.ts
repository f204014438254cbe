import { z } from "zod";
import { defineTool } from "../../core/define-tool.js";
import { ToolError } from "../../core/tool-error.js";
import { tempoClusterArg, tempoUpstream, type TempoDeps } from "../deps.js";
import { flattenTrace, OtlpTrace } from "../otlp.js";
import { tempoGet } from "../tempo-api.js";
import { summariseTrace, traceSummaryText } from "../trace-summary.js";

const Ref = { service: z.string(), name: z.string(), durationMs: z.number(), startOffsetMs: z.number() };

export function getTraceTool(deps: TempoDeps) {
  return defineTool({
    name: "tempo_get_trace",
    title: "Tempo trace",
    kind: "read",
    description:
      "Fetches one trace by id and summarises it: root service and operation, duration, span count per service, the slowest spans (with their own time), the failing spans (where a failure starts first, with status code and message), the critical path, and the span tree.",
    input: z.object({
      traceId: z.string().regex(/^[0-9a-fA-F]{1,32}$/, "a trace id: up to 32 hex digits, as tempo_search lists them"),
      treeLines: z.number().int().min(0).max(200).default(40).describe("Lines of the span tree to show (default 40)"),
      cluster: tempoClusterArg(deps),
    }),
    output: z.object({
      cluster: z.string(),
      traceId: z.string(),
      rootService: z.string(),
      rootOperation: z.string(),
      start: z.string(),
      durationMs: z.number(),
      spanCount: z.number(),
      services: z.record(z.string(), z.number()),
      slowest: z.array(z.object({ ...Ref, selfMs: z.number() })),
      failing: z.array(z.object({ ...Ref, statusCode: z.union([z.string(), z.number(), z.boolean()]).optional(), message: z.string().optional(), origin: z.boolean(), count: z.number() })),
      criticalPath: z.array(z.object({ ...Ref, depth: z.number() })),
      tree: z.array(z.string()),
    }),
    run: async (args, { signal }) => {
      const upstream = tempoUpstream(deps, args.cluster);
      const traceId = args.traceId.toLowerCase();
      const trace = await tempoGet(upstream, `/api/traces/${traceId}`, {}, OtlpTrace, signal);
      if (!trace) throw new ToolError(`trace ${traceId} not found in ${upstream.name === "default" ? "Tempo" : `cluster ${upstream.name}`}: it may be older than Tempo keeps, or in another cluster; find current ones with tempo_search`);
      const spans = flattenTrace(trace);
      if (spans.length === 0) throw new ToolError(`trace ${traceId} has no spans`);
      const s = summariseTrace(spans, { slowest: 5, failing: 10, treeLines: args.treeLines });
      return { summary: traceSummaryText(traceId, s), data: { cluster: upstream.name, traceId, ...s } };
    },
  });
}
