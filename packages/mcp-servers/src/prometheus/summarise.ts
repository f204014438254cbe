import type { z } from "zod";
import type { MatrixResult, VectorResult } from "./prom-api.js";

/**
 * Query results cut down to what a model can read: the labels every series shares said once,
 * the top N series by value, values rounded. Pure.
 */

export type Labels = Record<string, string>;

/** A sample's value as a number to 4 significant digits (integers kept whole), or its text for NaN/±Inf. */
export function roundValue(raw: string): number | string {
  const n = Number(raw);
  if (!Number.isFinite(n)) return raw;
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return n;
  return Number(n.toPrecision(4));
}

/** `{a="1", b="2"}` with the metric name in front, as PromQL writes a series. */
export function seriesText(labels: Labels): string {
  const { __name__: name, ...rest } = labels;
  const inner = Object.entries(rest)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(", ");
  return `${name ?? ""}{${inner}}`;
}

/** The label pairs every series has, and each series' labels without them. */
export function splitCommonLabels(all: readonly Labels[]): { common: Labels; rest: Labels[] } {
  if (all.length < 2) return { common: {}, rest: all.map((l) => ({ ...l })) };
  const [first, ...others] = all as [Labels, ...Labels[]];
  const common: Labels = {};
  for (const [k, v] of Object.entries(first)) if (others.every((o) => o[k] === v)) common[k] = v;
  const rest = all.map((l) => Object.fromEntries(Object.entries(l).filter(([k]) => !(k in common))));
  return { common, rest };
}

const sortKey = (v: number | string): number => (typeof v === "number" ? v : v === "+Inf" ? Infinity : v === "-Inf" ? -Infinity : -Infinity);

export type VectorSummary = {
  seriesCount: number;
  commonLabels: Labels;
  series: Array<{ labels: string; value: number | string }>;
};

/** An instant vector: the top `top` series by value, highest first. */
export function summariseVector(result: z.infer<typeof VectorResult>, top: number): VectorSummary {
  const rows = result.map((s) => ({ metric: s.metric, value: roundValue(s.value[1]) })).sort((a, b) => sortKey(b.value) - sortKey(a.value));
  const shown = rows.slice(0, top);
  const { common, rest } = splitCommonLabels(shown.map((r) => r.metric));
  return { seriesCount: result.length, commonLabels: common, series: shown.map((r, i) => ({ labels: seriesText(rest[i] ?? {}), value: r.value })) };
}

export type MatrixSummary = {
  seriesCount: number;
  commonLabels: Labels;
  series: Array<{ labels: string; points: number; min: number | string; max: number | string; last: number | string; lastAt: string }>;
};

/** A range result: per series min, max and last value; the top `top` series by last value, highest first. */
export function summariseMatrix(result: z.infer<typeof MatrixResult>, top: number): MatrixSummary {
  const rows = result
    .map((s) => {
      const nums = s.values.map(([, v]) => Number(v)).filter((n) => !Number.isNaN(n));
      const lastSample = s.values[s.values.length - 1];
      return {
        metric: s.metric,
        points: s.values.length,
        min: nums.length ? roundValue(String(Math.min(...nums))) : "NaN",
        max: nums.length ? roundValue(String(Math.max(...nums))) : "NaN",
        last: lastSample ? roundValue(lastSample[1]) : "NaN",
        lastAt: lastSample ? new Date(lastSample[0] * 1000).toISOString() : "",
      };
    })
    .sort((a, b) => sortKey(b.last) - sortKey(a.last) || sortKey(b.max) - sortKey(a.max));
  const shown = rows.slice(0, top);
  const { common, rest } = splitCommonLabels(shown.map((r) => r.metric));
  return {
    seriesCount: result.length,
    commonLabels: common,
    series: shown.map(({ metric: _m, ...r }, i) => ({ labels: seriesText(rest[i] ?? {}), ...r })),
  };
}
