import { z } from "zod";
import { defineTool } from "../../core/define-tool.js";
import { ToolError } from "../../core/tool-error.js";
import { parseDuration, resolveRange } from "../../upstream/time-range.js";
import { tempoClusterArg, tempoUpstream, type TempoDeps } from "../deps.js";
import { SearchData, tempoGet } from "../tempo-api.js";

const HOUR_MS = 3_600_000;
const time = (what: string) => z.string().min(1).optional().describe(`${what}: RFC3339, unix seconds, or now-15m`);
const duration = (what: string) => z.string().min(1).optional().describe(`${what}, e.g. 250ms, 2s`);

/** Tags as Tempo's search takes them: logfmt, values quoted. */
const logfmt = (tags: Record<string, string>): string =>
  Object.entries(tags)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`)
    .join(" ");

function durationParam(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const d = parseDuration(value);
  if (!d.ok) throw new ToolError(`${name}: ${d.error}`);
  return `${d.value}ms`;
}

export function searchTool(deps: TempoDeps) {
  return defineTool({
    name: "tempo_search",
    title: "Tempo trace search",
    kind: "read",
    description:
      "Finds recent traces (default the last hour) by service, span name, tags, failure and duration; lists them slowest first with their root service and operation. Fetch one with tempo_get_trace for its slow and failing spans.",
    input: z.object({
      service: z.string().min(1).optional().describe("Traces with a span of this service (service.name), e.g. checkout"),
      operation: z.string().min(1).optional().describe("Traces with a span of this name, e.g. GET /api/cart"),
      tags: z.record(z.string().regex(/^[\w.-]+$/, "a tag name: letters, digits, _ . -"), z.string()).optional().describe('Span attributes that must match, e.g. {"http.status_code": "503"}'),
      errorsOnly: z.boolean().default(false).describe("Only traces with a failing span (status error)"),
      minDuration: duration("Only traces at least this long"),
      maxDuration: duration("Only traces at most this long"),
      since: z.string().min(1).optional().describe("Look back this far from end, e.g. 15m (instead of start)"),
      start: time("Range start (default end minus 1h)"),
      end: time("Range end (default now)"),
      limit: z.number().int().min(1).max(100).default(20),
      cluster: tempoClusterArg(deps),
    }),
    output: z.object({
      cluster: z.string(),
      found: z.number(),
      traces: z.array(z.object({ traceId: z.string(), rootService: z.string(), rootOperation: z.string(), start: z.string(), durationMs: z.number() })),
    }),
    run: async (args, { signal }) => {
      const range = resolveRange(args, deps.now(), HOUR_MS, 7 * 24 * HOUR_MS);
      if (!range.ok) throw new ToolError(range.error);
      const tags: Record<string, string> = { ...args.tags };
      if (args.service) tags["service.name"] = args.service;
      if (args.operation) tags.name = args.operation;
      if (args.errorsOnly) tags.status = "error";
      const upstream = tempoUpstream(deps, args.cluster);
      const data = await tempoGet(
        upstream,
        "/api/search",
        {
          tags: Object.keys(tags).length ? logfmt(tags) : undefined,
          minDuration: durationParam("minDuration", args.minDuration),
          maxDuration: durationParam("maxDuration", args.maxDuration),
          start: Math.floor(range.value.startMs / 1000),
          end: Math.ceil(range.value.endMs / 1000),
          limit: args.limit,
        },
        SearchData,
        signal,
      );
      const traces = (data?.traces ?? [])
        .map((t) => ({
          traceId: t.traceID,
          rootService: t.rootServiceName ?? "",
          rootOperation: t.rootTraceName ?? "",
          start: t.startTimeUnixNano ? new Date(Number(BigInt(t.startTimeUnixNano) / 1_000_000n)).toISOString() : "",
          durationMs: t.durationMs ?? 0,
        }))
        .sort((a, b) => b.durationMs - a.durationMs)
        .slice(0, args.limit);
      const what = Object.keys(tags).length ? ` matching ${logfmt(tags)}` : "";
      if (traces.length === 0) return { summary: `no traces${what} in the range (widen since, or check the service name)`, data: { cluster: upstream.name, found: 0, traces } };
      const sorted = traces.map((t) => t.durationMs).sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
      const lines = traces.map((t) => `  ${t.traceId} ${t.durationMs}ms ${t.rootService}: ${t.rootOperation} at ${t.start}`);
      return {
        summary: `${traces.length} traces${what}${traces.length === args.limit ? ` (the limit; raise limit or narrow the search for more)` : ""}; median ${median}ms, slowest ${sorted[sorted.length - 1]}ms\n${lines.join("\n")}`,
        data: { cluster: upstream.name, found: traces.length, traces },
      };
    },
  });
}
