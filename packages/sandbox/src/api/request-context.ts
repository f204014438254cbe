import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@autodevops/shared";
import type { SimCluster } from "../cluster.js";
import type { ResourceType } from "../store/resources.js";
import type { Identity } from "./auth.js";
import type { MutationLog } from "./mutation-log.js";

/** Everything a resource handler needs about one request. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  who: Identity;
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  cluster: SimCluster;
  mutations: MutationLog;
  now: () => Date;
  log: Logger;
}

export const isDryRun = (url: URL) => url.searchParams.getAll("dryRun").includes("All");
