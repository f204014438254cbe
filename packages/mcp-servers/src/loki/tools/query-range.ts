import { z } from "zod";
import { defineTool } from "../../core/define-tool.js";
import { ToolError } from "../../core/tool-error.js";
import { resolveRange } from "../../upstream/time-range.js";
import { lokiClusterArg, lokiUpstream, type LokiDeps } from "../deps.js";
import { summariseStreams, summaryText } from "../log-summary.js";
import { checkLogql, formatLogqlProblem } from "../logql-check.js";
import { lokiGet, lokiTime, QueryRangeData } from "../loki-api.js";

const HOUR_MS = 3_600_000;
const MAX_RANGE_MS = 7 * 24 * HOUR_MS;
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
/** Characters of raw log lines one answer carries, across all streams. */
const LINE_BUDGET_CHARS = 9000;

const time = (what: string) => z.string().min(1).optional().describe(`${what}: RFC3339, unix seconds, or now-15m`);
const Level = z.enum(["error", "warn", "info", "debug", "unknown"]);

export function queryRangeTool(deps: LokiDeps) {
  return defineTool({
    name: "loki_query_range",
    title: "Loki log query",
    kind: "read",
    description:
      'Reads log lines with LogQL over a time range (default the last hour) and summarises them: counts by level, the most frequent error and warning messages (numbers and ids stripped), and the newest lines of each stream. Example: {namespace="shop", app="cart"} |= "error".',
    input: z.object({
      query: z.string().min(1).max(5000).describe('LogQL: a stream selector and optional line filters, e.g. {namespace="shop", pod=~"cart-.*"} |~ "panic|error"'),
      since: z.string().min(1).optional().describe("Look back this far from end, e.g. 15m, 2h (instead of start)"),
      start: time("Range start (default end minus 1h)"),
      end: time("Range end (default now)"),
      limit: z.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT).describe(`Lines to read at most (default ${DEFAULT_LIMIT}, max ${MAX_LIMIT})`),
      direction: z.enum(["backward", "forward"]).default("backward").describe("backward: the newest lines (default); forward: the oldest"),
      linesPerStream: z.number().int().min(0).max(50).default(8).describe("Newest lines to show per stream (default 8)"),
      cluster: lokiClusterArg(deps),
    }),
    output: z.object({
      cluster: z.string(),
      query: z.string(),
      start: z.string(),
      end: z.string(),
      lines: z.number(),
      streams: z.number(),
      limitReached: z.boolean(),
      byLevel: z.record(Level, z.number()),
      topErrors: z.array(z.object({ message: z.string(), count: z.number(), level: Level, example: z.string(), lastAt: z.string() })),
      commonLabels: z.record(z.string(), z.string()),
      newest: z.array(z.object({ labels: z.string(), lines: z.number(), errors: z.number(), newest: z.array(z.object({ at: z.string(), line: z.string() })) })),
      omittedLines: z.number(),
      series: z.array(z.object({ labels: z.string(), last: z.string(), max: z.number() })).optional(),
    }),
    run: async (args, { signal }) => {
      const check = checkLogql(args.query);
      if (!check.ok) throw new ToolError(formatLogqlProblem(args.query, check.error));
      const range = resolveRange(args, deps.now(), HOUR_MS, MAX_RANGE_MS);
      if (!range.ok) throw new ToolError(range.error);
      const upstream = lokiUpstream(deps, args.cluster);
      const data = await lokiGet(
        upstream,
        "/query_range",
        { query: args.query, start: lokiTime(range.value.startMs), end: lokiTime(range.value.endMs), limit: args.limit, direction: args.direction },
        QueryRangeData,
        signal,
      );
      const head = { cluster: upstream.name, query: args.query, start: new Date(range.value.startMs).toISOString(), end: new Date(range.value.endMs).toISOString() };
      if (data.resultType === "matrix") {
        // A metric query (count_over_time…): one row per series.
        const series = data.result.slice(0, 50).map((s) => ({
          labels: JSON.stringify(s.metric),
          last: s.values[s.values.length - 1]?.[1] ?? "",
          max: Math.max(...s.values.map(([, v]) => Number(v)).filter((n) => !Number.isNaN(n))),
        }));
        const empty = { lines: 0, streams: 0, limitReached: false, byLevel: { error: 0, warn: 0, info: 0, debug: 0, unknown: 0 }, topErrors: [], commonLabels: {}, newest: [], omittedLines: 0 };
        return { summary: `${args.query}: ${data.result.length} series (metric query)\n${series.map((s) => `  last ${s.last}, max ${s.max}  ${s.labels}`).join("\n")}`, data: { ...head, ...empty, series } };
      }
      const s = summariseStreams(data.result, { linesPerStream: args.linesPerStream, maxStreams: 20, maxLineChars: 300, topMessages: 10, budgetChars: LINE_BUDGET_CHARS });
      return { summary: summaryText(args.query, s, args.limit, args.direction), data: { ...head, ...s, limitReached: s.lines >= args.limit } };
    },
  });
}
