import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { writeAffects, type CacheScope, type ToolCache, type WriteScope } from "./tool-cache.js";

type Entry = { value: CallToolResult; scope: CacheScope; expiresAt: number };

/** The in-process cache, used without REDIS_URL: a bounded LRU whose entries expire by TTL. */
export class MemoryToolCache implements ToolCache {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  readonly #now: () => number;

  constructor(opts: { maxEntries?: number; now?: () => number } = {}) {
    this.#max = opts.maxEntries ?? 1_000;
    this.#now = opts.now ?? Date.now;
  }

  async get(key: string): Promise<CallToolResult | undefined> {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
    this.#entries.delete(key);
    this.#entries.set(key, e);
    return structuredClone(e.value);
  }

  async set(key: string, scope: CacheScope, value: CallToolResult, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value: structuredClone(value), scope, expiresAt: this.#now() + ttlMs });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  async invalidate(write: WriteScope): Promise<number> {
    let n = 0;
    for (const [key, e] of this.#entries) {
      if (writeAffects(write, e.scope)) {
        this.#entries.delete(key);
        n++;
      }
    }
    return n;
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }
}
