import { ToolError } from "../core/tool-error.js";
import type { HttpUpstream } from "../upstream/http-upstream.js";
import { clusterArg, type Upstreams } from "../upstream/upstreams.js";
import { checkPromql, formatPromqlProblem } from "./promql-check.js";

/** What the prometheus tools need: the Prometheus endpoints and a clock. */
export type PromDeps = { upstreams: Upstreams; now: () => Date };

export const promClusterArg = (deps: PromDeps) => clusterArg(deps.upstreams, "Prometheus");

/** The endpoint a call names, or a tool error listing the known ones. */
export function promUpstream(deps: PromDeps, cluster: string | undefined): HttpUpstream {
  const picked = deps.upstreams.pick(cluster);
  if (!picked.ok) throw new ToolError(picked.error);
  return picked.value;
}

/** Throws the parse error of a malformed expression, before anything is sent. */
export function assertPromql(query: string, what = "query"): void {
  const r = checkPromql(query);
  if (!r.ok) throw new ToolError(what === "query" ? formatPromqlProblem(r.error) : `${what}: ${formatPromqlProblem(r.error)}`);
}
