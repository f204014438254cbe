import { z } from "zod";
import { defineTool } from "../../core/define-tool.js";
import { ToolError } from "../../core/tool-error.js";
import { resolveRange } from "../../upstream/time-range.js";
import { lokiClusterArg, lokiUpstream, type LokiDeps } from "../deps.js";
import { checkLogql, formatLogqlProblem } from "../logql-check.js";
import { lokiGet, lokiTime, StringList } from "../loki-api.js";

const HOUR_MS = 3_600_000;
const since = z.string().min(1).optional().describe("Look back this far (default 6h), e.g. 1h, 24h");

function rangeParams(since: string | undefined, deps: LokiDeps) {
  const range = resolveRange({ since }, deps.now(), 6 * HOUR_MS, 30 * 24 * HOUR_MS);
  if (!range.ok) throw new ToolError(range.error);
  return { start: lokiTime(range.value.startMs), end: lokiTime(range.value.endMs) };
}

export function labelsTool(deps: LokiDeps) {
  return defineTool({
    name: "loki_labels",
    title: "Loki labels",
    kind: "read",
    description: "The label names of log streams with lines in a recent window (namespace, pod, container, app…).",
    input: z.object({ since, cluster: lokiClusterArg(deps) }),
    output: z.object({ cluster: z.string(), labels: z.array(z.string()) }),
    run: async (args, { signal }) => {
      const upstream = lokiUpstream(deps, args.cluster);
      const labels = await lokiGet(upstream, "/labels", rangeParams(args.since, deps), StringList, signal);
      return { summary: `${labels.length} labels: ${labels.slice(0, 500).join(", ")}`, data: { cluster: upstream.name, labels: labels.slice(0, 500) } };
    },
  });
}

export function labelValuesTool(deps: LokiDeps) {
  return defineTool({
    name: "loki_label_values",
    title: "Loki label values",
    kind: "read",
    description: 'The values of one label over log streams with lines in a recent window, optionally only streams matching a selector (e.g. pods of {namespace="shop"}).',
    input: z.object({
      label: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a label name: letters, digits and _, not starting with a digit"),
      query: z.string().min(1).max(2000).optional().describe('A stream selector narrowing the streams, e.g. {namespace="shop"}'),
      since,
      limit: z.number().int().min(1).max(1000).default(200),
      cluster: lokiClusterArg(deps),
    }),
    output: z.object({ cluster: z.string(), label: z.string(), total: z.number(), values: z.array(z.string()) }),
    run: async (args, { signal }) => {
      if (args.query !== undefined) {
        const check = checkLogql(args.query);
        if (!check.ok) throw new ToolError(`query: ${formatLogqlProblem(args.query, check.error)}`);
      }
      const upstream = lokiUpstream(deps, args.cluster);
      const all = await lokiGet(upstream, `/label/${encodeURIComponent(args.label)}/values`, { ...rangeParams(args.since, deps), query: args.query }, StringList, signal);
      const values = all.slice(0, args.limit);
      return {
        summary: `${all.length} values of ${args.label}${all.length > values.length ? ` (${values.length} shown)` : ""}: ${values.join(", ")}`,
        data: { cluster: upstream.name, label: args.label, total: all.length, values },
      };
    },
  });
}
