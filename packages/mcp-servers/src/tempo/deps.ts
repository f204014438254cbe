import { ToolError } from "../core/tool-error.js";
import type { HttpUpstream } from "../upstream/http-upstream.js";
import { clusterArg, type Upstreams } from "../upstream/upstreams.js";

/** What the tempo tools need: the Tempo endpoints (one per cluster, usually) and a clock. */
export type TempoDeps = { upstreams: Upstreams; now: () => Date };

export const tempoClusterArg = (deps: TempoDeps) => clusterArg(deps.upstreams, "Tempo");

export function tempoUpstream(deps: TempoDeps, cluster: string | undefined): HttpUpstream {
  const picked = deps.upstreams.pick(cluster);
  if (!picked.ok) throw new ToolError(picked.error);
  return picked.value;
}
