import { z } from "zod";
import { err, ok, type Result } from "@autodevops/shared";
import { DEFAULT_ENDPOINT, type Endpoint } from "@autodevops/shared";
import { createHttpUpstream, type HttpUpstream, type UpstreamOptions } from "./http-upstream.js";

/** A server's backends by name (one per cluster, or one for all), and which one a call means. */
export interface Upstreams {
  /** The names a tool's `cluster` argument may take; `["default"]` when one endpoint serves all. */
  readonly names: readonly string[];
  /** The backend for `cluster` (the first when none is named). */
  pick(cluster: string | undefined): Result<HttpUpstream, string>;
  close(): void;
}

export function createUpstreams(endpoints: readonly Endpoint[], opts: UpstreamOptions): Upstreams {
  if (endpoints.length === 0) throw new Error("createUpstreams: no endpoints");
  const clients = endpoints.map((e) => createHttpUpstream(e, opts));
  const single = clients.length === 1 && clients[0]?.name === DEFAULT_ENDPOINT;
  return {
    names: clients.map((c) => c.name),
    pick: (cluster) => {
      // One endpoint for every cluster (a Prometheus scraping both, say): it answers whatever the name.
      if (cluster === undefined || single) return ok(clients[0] as HttpUpstream);
      const found = clients.find((c) => c.name === cluster);
      return found ? ok(found) : err(`unknown cluster "${cluster}": this server knows ${clients.map((c) => c.name).join(", ")}`);
    },
    close: () => clients.forEach((c) => c.close()),
  };
}

/** The `cluster` argument of a server's tools: an enum of the configured names when they are named. */
export function clusterArg(upstreams: Pick<Upstreams, "names">, what: string) {
  const [first, ...rest] = upstreams.names;
  if (first === undefined || (first === DEFAULT_ENDPOINT && rest.length === 0)) {
    return z.string().min(1).optional().describe(`Ignored: one ${what} serves every cluster here`);
  }
  return z
    .enum([first, ...rest])
    .optional()
    .describe(`Which cluster's ${what} to ask: ${[first, ...rest].join(", ")} (default ${first})`);
}
