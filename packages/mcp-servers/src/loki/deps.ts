import { ToolError } from "../core/tool-error.js";
import type { HttpUpstream } from "../upstream/http-upstream.js";
import { clusterArg, type Upstreams } from "../upstream/upstreams.js";

/** What the loki tools need: the Loki endpoints (one per cluster, usually) and a clock. */
export type LokiDeps = { upstreams: Upstreams; now: () => Date };

export const lokiClusterArg = (deps: LokiDeps) => clusterArg(deps.upstreams, "Loki");

export function lokiUpstream(deps: LokiDeps, cluster: string | undefined): HttpUpstream {
  const picked = deps.upstreams.pick(cluster);
  if (!picked.ok) throw new ToolError(picked.error);
  return picked.value;
}
