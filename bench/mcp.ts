// MCP tool calls through the toolbox (@autodevops/mcp-clients) against the sandbox: our kubernetes
// server's list_pods, served over Streamable HTTP on loopback. Latency p50/p99 of an uncached call
// (to the server and the sandbox's API), of a cached one (in-process LRU, then Redis), and of a bare
// MCP client without the toolbox for comparison; then calls per second, one at a time and with
// several in flight. Every toolbox call is audited into the machine's Postgres, as in production.
// Numbers, not pass/fail (targets: cached < 5 ms, uncached < 50 ms).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { KubeConfig } from "@kubernetes/client-node";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createLogger, ok, PgAuditStore, runMigrations, type AuditStore } from "@autodevops/shared";
import { createTestDatabase, testRedisUrl, type TestDatabase } from "@autodevops/shared/testing";
import { startSandbox } from "@autodevops/sandbox";
import { clustersFromKubeconfig, createMcpServer, kubernetesServer, serveHttp } from "@autodevops/mcp-servers";
import { createMcpToolbox, RedisToolCache, type McpToolbox, type ToolCache } from "@autodevops/mcp-clients";

const CALLS = Number(process.env.BENCH_MCP_CALLS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_MCP_CONCURRENCY ?? 8);
const log = createLogger({ service: "bench", level: "warn" });
const TOOL = "kubernetes__list_pods";
const ARGS = { cluster: "prod", namespace: "shop" };

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

async function latencies(n: number, call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  return times;
}

/** Calls per second with `inFlight` callers, each awaiting its own calls. */
async function throughput(n: number, inFlight: number, call: () => Promise<unknown>): Promise<number> {
  let left = n;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left-- > 0) await call();
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

function mustOk(box: McpToolbox, opts: { fresh?: boolean } = {}) {
  return async () => {
    const r = await box.call(TOOL, ARGS, opts);
    if (!r.ok) throw new Error(`${TOOL}: ${r.error.message}`);
    return r;
  };
}

export async function benchMcp(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "bench-mcp-"));
  const sandbox = await startSandbox({ dataDir, host: "127.0.0.1", controlPort: 0, log });
  let db: TestDatabase | undefined;
  let audit: Pick<AuditStore, "append" | "close">;
  let auditNote = "audited into Postgres";
  try {
    db = await createTestDatabase("bench_mcp");
    await runMigrations({ databaseUrl: db.url, log });
    audit = new PgAuditStore(db.url, log);
  } catch (e) {
    auditNote = `audit discarded: no Postgres (${(e as Error).message.slice(0, 80)})`;
    audit = { append: async () => ok({}) as never, close: async () => undefined };
  }
  const closers: (() => Promise<void>)[] = [];
  try {
    // Let the kubelets bring the estate up, so list_pods lists a running namespace.
    await new Promise((r) => setTimeout(r, 3_000));
    const kc = new KubeConfig();
    kc.loadFromFile(sandbox.kubeconfig);
    const spec = kubernetesServer({ clusters: clustersFromKubeconfig(kc), policyPublicKeyPem: undefined });
    const config = { servers: { kubernetes: { decisionAware: true, source: { kind: "in-process" as const, build: () => spec } } }, skipped: [] };

    const rows: [string, number[]][] = [];
    // The bare client: what an MCP call over HTTP costs without policy, cache or audit.
    const http = await serveHttp(() => createMcpServer(spec, { log }), { host: "127.0.0.1", port: 0, log });
    closers.push(http.close);
    const client = new Client({ name: "bench", version: "0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    closers.push(() => client.close());
    rows.push(["bare MCP client (no toolbox), uncached", await latencies(CALLS, () => client.callTool({ name: "list_pods", arguments: ARGS }))]);

    const memory = await createMcpToolbox({ agent: "jamie", config, audit, log });
    closers.push(() => memory.close());
    rows.push(["toolbox, uncached (server + sandbox API)", await latencies(CALLS, mustOk(memory, { fresh: true }))]);
    rows.push(["toolbox, cached in process", await latencies(CALLS, mustOk(memory))]);
    // The same without the audit row, to show what the audit commit adds to a call.
    const unaudited = await createMcpToolbox({ agent: "jamie", config, audit: { append: async () => ok({}) as never }, log });
    closers.push(() => unaudited.close());
    rows.push(["toolbox, cached in process, audit discarded", await latencies(CALLS, mustOk(unaudited))]);

    let redis: ToolCache | undefined;
    let redisBox: McpToolbox | undefined;
    try {
      redis = await RedisToolCache.connect({ url: process.env.REDIS_URL ?? testRedisUrl(), prefix: `bench:mcp:${process.pid}:`, log });
      redisBox = await createMcpToolbox({ agent: "jamie", config, audit, cache: redis, log });
      closers.push(async () => {
        await redisBox?.close();
        await redis?.close();
      });
      rows.push(["toolbox, cached in Redis", await latencies(CALLS, mustOk(redisBox))]);
    } catch (e) {
      console.log(`(no Redis: ${(e as Error).message}; the Redis row is left out)`);
    }

    console.log(`\nmcp: ${TOOL} ${JSON.stringify(ARGS)} over Streamable HTTP on loopback, sandbox cluster prod (${CALLS} calls each; ${auditNote})`);
    console.log(`${"scenario".padEnd(44)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"calls/s".padStart(10)}`);
    for (const [name, times] of rows) {
      const mean = times.reduce((a, b) => a + b, 0) / times.length;
      console.log(`${name.padEnd(44)}${percentile(times, 50).toFixed(2).padStart(9)}${percentile(times, 99).toFixed(2).padStart(9)}${(1000 / mean).toFixed(0).padStart(10)}`);
    }
    console.log(`\nmcp: calls per second with ${CONCURRENCY} in flight`);
    console.log(`${"toolbox, uncached".padEnd(44)}${(await throughput(CALLS, CONCURRENCY, mustOk(memory, { fresh: true }))).toFixed(0).padStart(10)}`);
    console.log(`${"toolbox, cached in process".padEnd(44)}${(await throughput(CALLS * 4, CONCURRENCY, mustOk(memory))).toFixed(0).padStart(10)}`);
    if (redisBox) console.log(`${"toolbox, cached in Redis".padEnd(44)}${(await throughput(CALLS * 4, CONCURRENCY, mustOk(redisBox))).toFixed(0).padStart(10)}`);
  } finally {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await audit.close();
    await db?.drop();
    await sandbox.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await benchMcp();
