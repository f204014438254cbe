// The sandbox's telemetry: size of each cluster's /metrics and the time to render it (what a
// Prometheus scrape costs the sandbox), then the latency of typical Loki and Tempo queries over
// HTTPS, as a client (Grafana, an MCP server) sees it.
import { request } from "node:https";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { KubeConfig } from "@kubernetes/client-node";
import { createLogger } from "@autodevops/shared";
import { startSandbox, type RunningSandbox } from "@autodevops/sandbox";

const SCRAPES = Number(process.env.BENCH_TELEMETRY_SCRAPES ?? 100);
const QUERIES = Number(process.env.BENCH_TELEMETRY_QUERIES ?? 50);

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

export async function benchSandboxTelemetry(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "bench-telemetry-"));
  const sandbox = await startSandbox({ dataDir, host: "127.0.0.1", controlPort: 0, log: createLogger({ service: "bench", level: "warn" }) });
  try {
    // Let the kubelets bring every pod up so the series are those of a running estate.
    await new Promise((r) => setTimeout(r, 5_000));
    console.log("\nsandbox-telemetry: /metrics per cluster");
    console.log(`${"cluster".padEnd(10)}${"series".padStart(8)}${"bytes".padStart(10)}${"render p50 ms".padStart(15)}${"render p99 ms".padStart(15)}`);
    for (const c of sandbox.clusters) {
      const times: number[] = [];
      let body = "";
      for (let i = 0; i < SCRAPES; i++) {
        const t0 = performance.now();
        body = sandbox.telemetry.render(c.name) ?? "";
        times.push(performance.now() - t0);
      }
      const series = body.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length;
      console.log(`${c.name.padEnd(10)}${String(series).padStart(8)}${String(Buffer.byteLength(body)).padStart(10)}${percentile(times, 50).toFixed(2).padStart(15)}${percentile(times, 99).toFixed(2).padStart(15)}`);
    }
    await benchQueries(sandbox);
  } finally {
    await sandbox.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Loki and Tempo queries a person or an agent asks during an incident, on the prod cluster. */
async function benchQueries(sandbox: RunningSandbox): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfig);
  const cluster = sandbox.clusters.find((c) => c.name === "prod");
  const ca = kc.getCluster("prod")?.caData;
  if (!cluster || !ca) throw new Error("no prod cluster with a CA in the sandbox kubeconfig");
  const get = (pathAndQuery: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${cluster.apiServer}${pathAndQuery}`, { ca: Buffer.from(ca, "base64"), headers: { authorization: `Bearer ${sandbox.tokens.admin}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      });
      req.on("error", reject);
      req.end();
    });
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const since = (minutes: number) => String(nowNs - BigInt(minutes) * 60_000_000_000n);
  const search = await get(`/tempo/api/search?tags=${encodeURIComponent("service.name=frontend")}&limit=20`);
  const traceId = (JSON.parse(search.body) as { traces?: { traceID: string }[] }).traces?.[0]?.traceID ?? "";
  const cases: [string, string][] = [
    ["loki: {namespace=shop} |= error, 15m, 100", `/loki/api/v1/query_range?query=${encodeURIComponent('{namespace="shop"} |= "error"')}&start=${since(15)}&end=${nowNs}&limit=100`],
    ["loki: {app=~cart|checkout}, 1h, 1000", `/loki/api/v1/query_range?query=${encodeURIComponent('{app=~"cart|checkout"}')}&start=${since(60)}&end=${nowNs}&limit=1000&direction=backward`],
    ["loki: label values of pod", `/loki/api/v1/label/pod/values?start=${since(60)}&end=${nowNs}`],
    ["tempo: search service=frontend", `/tempo/api/search?tags=${encodeURIComponent("service.name=frontend")}&limit=20`],
    ["tempo: search minDuration=500ms", `/tempo/api/search?minDuration=500ms&limit=20`],
    ["tempo: trace by id", `/tempo/api/traces/${traceId}`],
  ];
  console.log("\nsandbox-telemetry: Loki and Tempo queries on prod (HTTPS, admin token)");
  console.log(`${"query".padEnd(42)}${"bytes".padStart(10)}${"p50 ms".padStart(10)}${"p99 ms".padStart(10)}`);
  for (const [name, url] of cases) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < QUERIES; i++) {
      const t0 = performance.now();
      const res = await get(url);
      times.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status}: ${res.body.slice(0, 200)}`);
      bytes = Buffer.byteLength(res.body);
    }
    console.log(`${name.padEnd(42)}${String(bytes).padStart(10)}${percentile(times, 50).toFixed(2).padStart(10)}${percentile(times, 99).toFixed(2).padStart(10)}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await benchSandboxTelemetry();
