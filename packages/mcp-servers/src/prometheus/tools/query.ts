import { z } from "zod";
import { defineTool } from "../../core/define-tool.js";
import { ToolError } from "../../core/tool-error.js";
import { formatDuration, parseDuration, parseTime, resolveRange } from "../../upstream/time-range.js";
import { assertPromql, promClusterArg, promUpstream, type PromDeps } from "../deps.js";
import { promGet, promTime, QueryData } from "../prom-api.js";
import { seriesText, summariseMatrix, summariseVector, type MatrixSummary, type VectorSummary } from "../summarise.js";

const HOUR_MS = 3_600_000;
/** Points per series a range query may ask for; a finer step is raised to fit. */
export const MAX_POINTS = 1000;
/** The points per series a range query aims at when no step is given. */
const DEFAULT_POINTS = 200;
const MAX_RANGE_MS = 31 * 24 * HOUR_MS;

const query = z.string().min(1).max(10_000).describe('PromQL, e.g. sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="shop"}[5m]))');
const top = z.number().int().min(1).max(200).default(20).describe("How many series to show, highest value first (default 20)");
const time = (what: string) => z.string().min(1).optional().describe(`${what}: RFC3339, unix seconds, or now-15m`);

const Labels = z.record(z.string(), z.string());
const Value = z.union([z.number(), z.string()]);
const Common = { cluster: z.string(), query: z.string(), seriesCount: z.number(), commonLabels: Labels, warnings: z.array(z.string()) };

export function queryTool(deps: PromDeps) {
  return defineTool({
    name: "prometheus_query",
    title: "Prometheus instant query",
    kind: "read",
    description:
      "Evaluates PromQL at one instant (default now). Shows the top series by value, with the labels all of them share said once; a malformed query is refused with its position before anything is sent.",
    input: z.object({ query, time: time("When to evaluate"), top, cluster: promClusterArg(deps) }),
    output: z.object({
      ...Common,
      resultType: z.string(),
      at: z.string(),
      series: z.array(z.object({ labels: z.string(), value: Value })),
      scalar: Value.optional(),
    }),
    run: async (args, { signal }) => {
      assertPromql(args.query);
      const now = deps.now();
      const at = args.time === undefined ? { ok: true as const, value: now.getTime() } : parseTime(args.time, now);
      if (!at.ok) throw new ToolError(`time: ${at.error}`);
      const upstream = promUpstream(deps, args.cluster);
      const r = await promGet(upstream, "/query", { query: args.query, time: promTime(at.value) }, QueryData, signal);
      const base = { cluster: upstream.name, query: args.query, at: new Date(at.value).toISOString(), warnings: r.warnings, resultType: r.data.resultType };
      switch (r.data.resultType) {
        case "vector": {
          const s = summariseVector(r.data.result, args.top);
          return { summary: vectorText(args.query, base.at, s, args.top), data: { ...base, ...s } };
        }
        case "matrix": {
          // A range selector at the top (`x[5m]`): summarised like a range query.
          const s = summariseMatrix(r.data.result, args.top);
          return { summary: matrixText(args.query, s, args.top), data: { ...base, seriesCount: s.seriesCount, commonLabels: s.commonLabels, series: s.series.map((x) => ({ labels: x.labels, value: x.last })) } };
        }
        case "scalar":
        case "string": {
          const value = r.data.resultType === "scalar" ? Number(r.data.result[1]) : r.data.result[1];
          return { summary: `${args.query} = ${value} at ${base.at}`, data: { ...base, seriesCount: 0, commonLabels: {}, series: [], scalar: value } };
        }
      }
    },
  });
}

export function queryRangeTool(deps: PromDeps) {
  return defineTool({
    name: "prometheus_query_range",
    title: "Prometheus range query",
    kind: "read",
    description: `Evaluates PromQL over a time range (default the last hour, about ${DEFAULT_POINTS} points per series; at most ${MAX_POINTS}). Each series is summarised as min, max and last value, highest last value first.`,
    input: z.object({
      query,
      start: time("Range start (default end minus 1h)"),
      end: time("Range end (default now)"),
      step: z.string().min(1).optional().describe("Resolution, e.g. 15s, 1m (default: the range divided into about 200 points)"),
      top,
      cluster: promClusterArg(deps),
    }),
    output: z.object({
      ...Common,
      start: z.string(),
      end: z.string(),
      step: z.string(),
      series: z.array(z.object({ labels: z.string(), points: z.number(), min: Value, max: Value, last: Value, lastAt: z.string() })),
    }),
    run: async (args, { signal }) => {
      assertPromql(args.query);
      const range = resolveRange(args, deps.now(), HOUR_MS, MAX_RANGE_MS);
      if (!range.ok) throw new ToolError(range.error);
      const spanMs = range.value.endMs - range.value.startMs;
      let stepMs = Math.max(1000, Math.ceil(spanMs / DEFAULT_POINTS / 1000) * 1000);
      const warnings: string[] = [];
      if (args.step !== undefined) {
        const step = parseDuration(args.step);
        if (!step.ok) throw new ToolError(`step: ${step.error}`);
        stepMs = step.value;
      }
      if (spanMs / stepMs > MAX_POINTS) {
        const raised = Math.ceil(spanMs / MAX_POINTS / 1000) * 1000;
        warnings.push(`step ${formatDuration(stepMs)} would give ${Math.floor(spanMs / stepMs)} points per series; raised to ${formatDuration(raised)} (at most ${MAX_POINTS})`);
        stepMs = raised;
      }
      const upstream = promUpstream(deps, args.cluster);
      const r = await promGet(
        upstream,
        "/query_range",
        { query: args.query, start: promTime(range.value.startMs), end: promTime(range.value.endMs), step: (stepMs / 1000).toString() },
        QueryData,
        signal,
      );
      if (r.data.resultType !== "matrix") throw new Error(`a range query answered ${r.data.resultType}`);
      const s = summariseMatrix(r.data.result, args.top);
      const data = {
        cluster: upstream.name,
        query: args.query,
        start: new Date(range.value.startMs).toISOString(),
        end: new Date(range.value.endMs).toISOString(),
        step: formatDuration(stepMs),
        warnings: [...warnings, ...r.warnings],
        ...s,
      };
      return { summary: `${matrixText(args.query, s, args.top)}\nrange ${data.start} → ${data.end}, step ${data.step}${data.warnings.length ? `\nnote: ${data.warnings.join("; ")}` : ""}`, data };
    },
  });
}

function common(labels: Record<string, string>): string {
  return Object.keys(labels).length ? `\nshared by all shown: ${seriesText(labels)}` : "";
}

function vectorText(q: string, at: string, s: VectorSummary, top: number): string {
  if (s.seriesCount === 0) return `${q}: no series at ${at} (check the metric and label names with prometheus_series or prometheus_label_values)`;
  const head = `${q}: ${s.seriesCount} series at ${at}${s.seriesCount > top ? `, the top ${top} by value shown (raise top or aggregate to see more)` : ""}`;
  return `${head}${common(s.commonLabels)}\n${s.series.map((x) => `  ${x.value}  ${x.labels}`).join("\n")}`;
}

function matrixText(q: string, s: MatrixSummary, top: number): string {
  if (s.seriesCount === 0) return `${q}: no series in the range (check the metric and label names with prometheus_series or prometheus_label_values)`;
  const head = `${q}: ${s.seriesCount} series${s.seriesCount > top ? `, the top ${top} by last value shown` : ""} (min / max / last)`;
  return `${head}${common(s.commonLabels)}\n${s.series.map((x) => `  ${x.min} / ${x.max} / ${x.last}  ${x.labels}`).join("\n")}`;
}
