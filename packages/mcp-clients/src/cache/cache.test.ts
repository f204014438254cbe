import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "redis";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { generatePolicyKeys, signDecision } from "@autodevops/shared";
import { assertRedisReachable, testRedisUrl } from "@autodevops/shared/testing";
import { clusterSpec, memoryAudit, silentLog, type CallLog } from "../testing/test-servers.js";
import { createMcpToolbox } from "../toolbox.js";
import { MemoryToolCache } from "./memory-cache.js";
import { RedisToolCache } from "./redis-cache.js";
import { cacheKeyOf, type CacheScope, type ToolCache } from "./tool-cache.js";

const result = (text: string): CallToolResult => ({ content: [{ type: "text", text }], structuredContent: { text } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const prefixes: string[] = [];

async function dropPrefixes() {
  const client = createClient({ url: testRedisUrl() });
  await client.connect();
  for (const prefix of prefixes) {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...batch);
    if (keys.length > 0) await client.del(keys);
  }
  await client.close();
}

async function redisCache(): Promise<RedisToolCache> {
  const prefix = `mcp-clients-test:${randomUUID()}:`;
  prefixes.push(prefix);
  return RedisToolCache.connect({ url: testRedisUrl(), prefix, log: silentLog });
}

beforeAll(async () => {
  await assertRedisReachable();
});
afterAll(dropPrefixes);

describe.each([
  ["in-process", async (): Promise<ToolCache> => new MemoryToolCache()],
  ["Redis", redisCache],
])("read cache (%s)", (_name, make) => {
  it("misses, then hits what was stored, by server, tool and canonical arguments", async () => {
    const cache = await make();
    try {
      const key = cacheKeyOf("kubernetes", "list_pods", { cluster: "prod", namespace: "shop" });
      expect(await cache.get(key)).toBeUndefined();
      await cache.set(key, { cluster: "prod", namespace: "shop" }, result("two pods"), 10_000);
      // Key order does not matter; a different argument is a different entry.
      expect(await cache.get(cacheKeyOf("kubernetes", "list_pods", { namespace: "shop", cluster: "prod" }))).toEqual(result("two pods"));
      expect(await cache.get(cacheKeyOf("kubernetes", "list_pods", { cluster: "prod", namespace: "web" }))).toBeUndefined();
      expect(await cache.get(cacheKeyOf("prometheus", "list_pods", { cluster: "prod", namespace: "shop" }))).toBeUndefined();
    } finally {
      await cache.close();
    }
  });

  it("forgets an entry after its TTL", async () => {
    const cache = await make();
    try {
      const key = cacheKeyOf("loki", "query_logs", { query: '{app="cart"}' });
      await cache.set(key, { cluster: null, namespace: null }, result("logs"), 120);
      expect(await cache.get(key)).toBeDefined();
      await sleep(200);
      expect(await cache.get(key)).toBeUndefined();
    } finally {
      await cache.close();
    }
  });

  it("drops on a write what it may have changed: its namespace, reads across namespaces, and reads across clusters", async () => {
    const cache = await make();
    try {
      const entries: [string, CacheScope][] = [
        ["prod/shop", { cluster: "prod", namespace: "shop" }],
        ["prod/*", { cluster: "prod", namespace: null }],
        ["prod/payments", { cluster: "prod", namespace: "payments" }],
        ["staging/shop", { cluster: "staging", namespace: "shop" }],
        ["*/*", { cluster: null, namespace: null }],
        ["*/shop", { cluster: null, namespace: "shop" }],
      ];
      const fill = () => Promise.all(entries.map(([id, scope]) => cache.set(cacheKeyOf("k", "t", { id }), scope, result(id), 10_000)));
      const present = async () => (await Promise.all(entries.map(async ([id]) => ((await cache.get(cacheKeyOf("k", "t", { id }))) ? id : undefined)))).filter(Boolean);

      await fill();
      expect(await cache.invalidate({ cluster: "prod", namespace: "shop" })).toBe(4);
      expect(await present()).toEqual(["prod/payments", "staging/shop"]);

      await fill();
      // A node action (no namespace) reaches every namespace of its cluster.
      expect(await cache.invalidate({ cluster: "prod", namespace: null })).toBe(5);
      expect(await present()).toEqual(["staging/shop"]);

      await fill();
      expect(await cache.invalidate({ cluster: null, namespace: null })).toBe(6);
      expect(await present()).toEqual([]);
    } finally {
      await cache.close();
    }
  });
});

describe("in-process cache", () => {
  it("evicts the least recently used entry past its size, and hands out copies", async () => {
    const cache = new MemoryToolCache({ maxEntries: 2 });
    const scope = { cluster: null, namespace: null };
    await cache.set("a", scope, result("a"), 10_000);
    await cache.set("b", scope, result("b"), 10_000);
    await cache.get("a");
    await cache.set("c", scope, result("c"), 10_000);
    expect(await cache.get("b")).toBeUndefined();
    const a = await cache.get("a");
    (a?.content[0] as { text: string }).text = "changed";
    expect(await cache.get("a")).toEqual(result("a"));
    expect(await cache.get("c")).toEqual(result("c"));
  });
});

describe("Redis cache", () => {
  it("treats Redis failing as a miss, never as a failed call", async () => {
    const cache = await redisCache();
    await cache.close();
    expect(await cache.get("k")).toBeUndefined();
    await expect(cache.set("k", { cluster: null, namespace: null }, result("x"), 1_000)).resolves.toBeUndefined();
    expect(await cache.invalidate({ cluster: "prod", namespace: null })).toBe(0);
  });

  it("is shared by toolboxes, so one's write invalidates another's cached reads", async () => {
    const keys = generatePolicyKeys();
    const calls: CallLog = [];
    const prefix = `mcp-clients-test:${randomUUID()}:`;
    prefixes.push(prefix);
    const [jamieCache, scarletCache] = await Promise.all([0, 1].map(() => RedisToolCache.connect({ url: testRedisUrl(), prefix, log: silentLog })));
    const spec = clusterSpec(calls);
    const config = { servers: { k8s: { decisionAware: true, source: { kind: "in-process" as const, build: () => spec } } }, skipped: [] };
    const jamie = await createMcpToolbox({ agent: "jamie", config, audit: memoryAudit(), cache: jamieCache, log: silentLog });
    const scarlet = await createMcpToolbox({ agent: "scarlet", config, audit: memoryAudit(), cache: scarletCache, policyPublicKey: keys.publicKeyPem, log: silentLog });
    try {
      const read = () => jamie.call("list_pods", { cluster: "prod", namespace: "shop" });
      expect(await read()).toMatchObject({ ok: true, value: { cached: false } });
      expect(await read()).toMatchObject({ ok: true, value: { cached: true } });
      // Scarlet reads the same thing from Jamie's entry.
      expect(await scarlet.call("list_pods", { cluster: "prod", namespace: "shop" })).toMatchObject({ ok: true, value: { cached: true } });
      const action = { kind: "delete-pod" as const, cluster: "prod", namespace: "shop", target: "cart", params: { pod: "cart-1" } };
      const token = signDecision(keys.privateKeyPem, { action, route: "auto" });
      expect(await scarlet.call("delete_pod", { cluster: "prod", namespace: "shop", target: "cart", params: { pod: "cart-1" } }, { decision: token })).toMatchObject({ ok: true });
      expect(await read()).toMatchObject({ ok: true, value: { cached: false } });
      expect(calls.map((c) => c.tool)).toEqual(["list_pods", "delete_pod", "list_pods"]);
    } finally {
      await jamie.close();
      await scarlet.close();
      await jamieCache?.close();
      await scarletCache?.close();
    }
  });
});
