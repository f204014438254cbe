import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { createClient, type RedisClientType } from "redis";
import type { Logger } from "@autodevops/shared";
import { writeAffects, type CacheScope, type ToolCache, type WriteScope } from "./tool-cache.js";

const ANY = "*";
/** Index sets outlive their longest entry by this much; a stale member only costs a no-op DEL. */
const INDEX_TTL_MS = 120_000;

/**
 * The cache in Redis, shared by every replica: each result under `<prefix>v:<key>` with its TTL,
 * and, for invalidation, its key in an index set per cluster (`<prefix>i:<cluster>`, members
 * `<namespace>\n<key>`, `*` where the read named none). Redis being down never fails a tool
 * call: a read goes to the server, and the failure is logged.
 */
export class RedisToolCache implements ToolCache {
  readonly #client: RedisClientType;
  readonly #prefix: string;
  readonly #log: Pick<Logger, "warn" | "error">;

  private constructor(client: RedisClientType, prefix: string, log: Pick<Logger, "warn" | "error">) {
    this.#client = client;
    this.#prefix = prefix;
    this.#log = log;
  }

  /** Connects to Redis; `prefix` keeps this cache's keys apart (one per deployment, or per test). */
  static async connect(opts: { url: string; prefix?: string; log: Pick<Logger, "warn" | "error"> }): Promise<RedisToolCache> {
    const client: RedisClientType = createClient({
      url: opts.url,
      // A cache must answer now or not at all: no queue of commands waiting for a reconnect.
      disableOfflineQueue: true,
      socket: { connectTimeout: 3_000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5_000) },
    });
    let lastError = "";
    client.on("error", (e: Error) => {
      if (e.message !== lastError) opts.log.warn({ err: e.message }, "MCP cache: Redis connection error");
      lastError = e.message;
    });
    await client.connect();
    return new RedisToolCache(client, opts.prefix ?? "autodevops:mcp-cache:", opts.log);
  }

  #valueKey = (key: string) => `${this.#prefix}v:${key}`;
  #indexKey = (cluster: string) => `${this.#prefix}i:${cluster}`;
  #clustersKey = () => `${this.#prefix}clusters`;

  async get(key: string): Promise<CallToolResult | undefined> {
    try {
      const raw = await this.#client.get(this.#valueKey(key));
      return raw === null ? undefined : (JSON.parse(raw) as CallToolResult);
    } catch (e) {
      this.#log.warn({ err: (e as Error).message }, "MCP cache read failed; asking the server");
      return undefined;
    }
  }

  async set(key: string, scope: CacheScope, value: CallToolResult, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    const cluster = scope.cluster ?? ANY;
    const indexTtl = Math.max(INDEX_TTL_MS, ttlMs + 10_000);
    try {
      await this.#client
        .multi()
        .set(this.#valueKey(key), JSON.stringify(value), { expiration: { type: "PX", value: Math.round(ttlMs) } })
        .sAdd(this.#indexKey(cluster), `${scope.namespace ?? ANY}\n${key}`)
        .pExpire(this.#indexKey(cluster), indexTtl)
        .sAdd(this.#clustersKey(), cluster)
        .pExpire(this.#clustersKey(), indexTtl)
        .exec();
    } catch (e) {
      this.#log.warn({ err: (e as Error).message }, "MCP cache write failed");
    }
  }

  async invalidate(write: WriteScope): Promise<number> {
    try {
      const clusters = write.cluster === null ? await this.#client.sMembers(this.#clustersKey()) : [write.cluster, ANY];
      let dropped = 0;
      for (const cluster of clusters) {
        const index = this.#indexKey(cluster);
        const members = await this.#client.sMembers(index);
        const hit = members.filter((m) => {
          const namespace = m.slice(0, m.indexOf("\n"));
          return writeAffects(write, { cluster: cluster === ANY ? null : cluster, namespace: namespace === ANY ? null : namespace });
        });
        if (hit.length === 0) continue;
        const [deleted] = await this.#client
          .multi()
          .del(hit.map((m) => this.#valueKey(m.slice(m.indexOf("\n") + 1))))
          .sRem(index, hit)
          .exec();
        dropped += Number(deleted ?? 0);
      }
      return dropped;
    } catch (e) {
      // Reads may be stale for at most their TTL; say so loudly.
      this.#log.error({ err: (e as Error).message, cluster: write.cluster, namespace: write.namespace }, "MCP cache invalidation failed; cached reads may be stale until they expire");
      return 0;
    }
  }

  async close(): Promise<void> {
    if (this.#client.isOpen) await this.#client.close();
  }
}
