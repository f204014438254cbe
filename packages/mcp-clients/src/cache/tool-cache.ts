import { createHash } from "node:crypto";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { canonicalJson } from "@autodevops/shared";

/**
 * Where a cached read looked: the cluster and namespace its arguments name, `null` where they name
 * none (a read across every cluster or namespace).
 */
export type CacheScope = { cluster: string | null; namespace: string | null };

/** What a write changes, for invalidation: a namespace `null` (a node action) is cluster-wide. */
export type WriteScope = { cluster: string | null; namespace: string | null };

/** The successful read results of tool calls, for a short time. Errors are never stored. */
export interface ToolCache {
  get(key: string): Promise<CallToolResult | undefined>;
  set(key: string, scope: CacheScope, value: CallToolResult, ttlMs: number): Promise<void>;
  /** Drops every entry the write may have changed (see `writeAffects`); resolves to how many. */
  invalidate(write: WriteScope): Promise<number>;
  close(): Promise<void>;
}

/** The cache key of a read: server, tool and the arguments in canonical JSON, hashed to a fixed length. */
export function cacheKeyOf(server: string, tool: string, args: Record<string, unknown>): string {
  return `${server}:${tool}:${createHash("sha256").update(canonicalJson(args)).digest("base64url")}`;
}

const named = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);

/** The scope of a read or a write, from the `cluster` and `namespace` its arguments carry. */
export function scopeOf(args: Record<string, unknown>): CacheScope {
  return { cluster: named(args.cluster), namespace: named(args.namespace) };
}

/**
 * The invalidation rule: a write on cluster C and namespace N drops every cached read that could
 * have seen what it changed — reads of C (or of no named cluster) in N (or in no named namespace).
 * A write without a namespace (cordon-node, drain-node) drops every read of C, since draining a
 * node moves pods of every namespace; a write without a cluster drops everything.
 */
export function writeAffects(write: WriteScope, read: CacheScope): boolean {
  if (write.cluster !== null && read.cluster !== null && read.cluster !== write.cluster) return false;
  if (write.namespace !== null && read.namespace !== null && read.namespace !== write.namespace) return false;
  return true;
}
