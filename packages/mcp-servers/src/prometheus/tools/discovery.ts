import { z } from "zod";
import { defineTool } from "../../core/define-tool.js";
import { ToolError } from "../../core/tool-error.js";
import { resolveRange } from "../../upstream/time-range.js";
import { assertPromql, promClusterArg, promUpstream, type PromDeps } from "../deps.js";
import { promGet, promTime, SeriesData, StringList } from "../prom-api.js";
import { parser } from "@prometheus-io/lezer-promql";
import { seriesText } from "../summarise.js";

const HOUR_MS = 3_600_000;
const MAX_RANGE_MS = 7 * 24 * HOUR_MS;

const match = z
  .array(z.string().min(1).max(2000))
  .max(10)
  .describe('Series selectors, e.g. ["kube_pod_info{namespace=\\"shop\\"}"]; a series matching any of them counts');
const since = z.string().min(1).optional().describe("Look back this far (default 1h), e.g. 15m, 6h");
const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a label name: letters, digits and _, not starting with a digit");

/** Each selector must parse and be a plain series selector (no functions or operators). */
function assertSelectors(selectors: readonly string[]): void {
  selectors.forEach((s, i) => {
    assertPromql(s, `match[${i}]`);
    const top = parser.parse(s).topNode.firstChild;
    if (top?.name !== "VectorSelector") throw new ToolError(`match[${i}]: "${s}" is not a series selector; write metric{label="value"} (no functions, ranges or operators)`);
  });
}

function rangeParams(args: { since?: string | undefined }, deps: PromDeps) {
  const range = resolveRange({ since: args.since }, deps.now(), HOUR_MS, MAX_RANGE_MS);
  if (!range.ok) throw new ToolError(range.error);
  return { start: promTime(range.value.startMs), end: promTime(range.value.endMs) };
}

export function seriesTool(deps: PromDeps) {
  return defineTool({
    name: "prometheus_series",
    title: "Prometheus series",
    kind: "read",
    description: "The series (label sets) that match selectors over a recent window: which metrics and label values exist before you query them.",
    input: z.object({ match: match.min(1), since, limit: z.number().int().min(1).max(500).default(50), cluster: promClusterArg(deps) }),
    output: z.object({ cluster: z.string(), total: z.number(), series: z.array(z.string()) }),
    run: async (args, { signal }) => {
      assertSelectors(args.match);
      const upstream = promUpstream(deps, args.cluster);
      const { data } = await promGet(upstream, "/series", { "match[]": args.match, ...rangeParams(args, deps) }, SeriesData, signal);
      const series = data.map(seriesText).sort().slice(0, args.limit);
      return {
        summary: `${data.length} series${data.length > series.length ? ` (${series.length} shown; narrow the selector)` : ""}\n${series.map((s) => `  ${s}`).join("\n")}`,
        data: { cluster: upstream.name, total: data.length, series },
      };
    },
  });
}

export function labelNamesTool(deps: PromDeps) {
  return defineTool({
    name: "prometheus_label_names",
    title: "Prometheus label names",
    kind: "read",
    description: "Label names present in a recent window, optionally only on series matching selectors.",
    input: z.object({ match: match.optional(), since, cluster: promClusterArg(deps) }),
    output: z.object({ cluster: z.string(), total: z.number(), names: z.array(z.string()) }),
    run: async (args, { signal }) => {
      if (args.match) assertSelectors(args.match);
      const upstream = promUpstream(deps, args.cluster);
      const { data } = await promGet(upstream, "/labels", { "match[]": args.match, ...rangeParams(args, deps) }, StringList, signal);
      const names = data.slice(0, 1000);
      return { summary: `${data.length} label names: ${names.join(", ")}`, data: { cluster: upstream.name, total: data.length, names } };
    },
  });
}

export function labelValuesTool(deps: PromDeps) {
  return defineTool({
    name: "prometheus_label_values",
    title: "Prometheus label values",
    kind: "read",
    description: 'Values of one label (e.g. namespace, pod, or __name__ for metric names) in a recent window, optionally only on series matching selectors.',
    input: z.object({
      label: labelName.describe("The label, e.g. namespace; __name__ lists metric names"),
      match: match.optional(),
      contains: z.string().min(1).optional().describe("Only values containing this (case-insensitive), e.g. restarts"),
      since,
      limit: z.number().int().min(1).max(1000).default(200),
      cluster: promClusterArg(deps),
    }),
    output: z.object({ cluster: z.string(), label: z.string(), total: z.number(), values: z.array(z.string()) }),
    run: async (args, { signal }) => {
      if (args.match) assertSelectors(args.match);
      const upstream = promUpstream(deps, args.cluster);
      const { data } = await promGet(upstream, `/label/${encodeURIComponent(args.label)}/values`, { "match[]": args.match, ...rangeParams(args, deps) }, StringList, signal);
      const needle = args.contains?.toLowerCase();
      const matching = needle ? data.filter((v) => v.toLowerCase().includes(needle)) : data;
      const values = matching.slice(0, args.limit);
      return {
        summary: `${matching.length} values of ${args.label}${matching.length > values.length ? ` (${values.length} shown; use contains or match to narrow)` : ""}: ${values.join(", ")}`,
        data: { cluster: upstream.name, label: args.label, total: matching.length, values },
      };
    },
  });
}
