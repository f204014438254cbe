import { z } from "zod";
import { K8sName } from "@autodevops/shared";
import type { ClusterSet } from "./clusters.js";

/** Input fields the tools share, each described so a model knows what to pass. */
export const clusterArg = z.string().min(1).describe('Which cluster: a name list_clusters gives, e.g. "prod"');
export const namespaceArg = K8sName.describe('Namespace, e.g. "shop"');
export const anyNamespaceArg = K8sName.optional().describe("Namespace; omit for every namespace");
export const labelSelectorArg = z
  .string()
  .max(500)
  .optional()
  .describe('Label selector as kubectl takes it, e.g. "app=cart" or "tier in (web,api),env!=dev"');
export const limitArg = (def: number, max: number, what: string) =>
  z.number().int().min(1).max(max).default(def).describe(`At most this many ${what} (default ${def}, max ${max})`);

/** Deps of the read tools: the clusters, and the clock (for ages). */
export type ReadDeps = { clusters: ClusterSet; now: () => Date };
