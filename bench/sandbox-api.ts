// The sandbox's Kubernetes API under load: list latency with 1,000 pods (p50/p99), and the time
// from a write to a watching client seeing it (p99; target < 50 ms). Numbers, not pass/fail.
import https from "node:https";
import { pathToFileURL } from "node:url";
import { startApiFixture } from "../packages/sandbox/src/testing/api-fixture.js";

const PODS = 1000;
const LISTS = Number(process.env.BENCH_SANDBOX_LISTS ?? 200);
const WRITES = Number(process.env.BENCH_SANDBOX_WRITES ?? 500);

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

export async function benchSandboxApi(): Promise<void> {
  const f = await startApiFixture();
  const agent = new https.Agent({ keepAlive: true, ca: f.tls.cert });
  const request = (method: string, path: string, body?: unknown) =>
    new Promise<string>((resolve, reject) => {
      const req = https.request(`${f.url}${path}`, { method, agent, headers: { authorization: `Bearer ${f.tokens.admin}`, "content-type": method === "PATCH" ? "application/merge-patch+json" : "application/json" } }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => ((res.statusCode ?? 500) < 300 ? resolve(text) : reject(new Error(`${res.statusCode}: ${text}`))));
      });
      req.on("error", reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  try {
    f.store.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "load" } });
    for (let i = 0; i < PODS; i++) {
      f.store.create("pods", {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `web-${i}`, namespace: "load", labels: { app: "web", shard: String(i % 10) } },
        spec: { nodeName: `node-${i % 3}`, containers: [{ name: "web", image: "web:1", resources: { requests: { cpu: "100m", memory: "128Mi" } } }] },
        status: { phase: "Running", podIP: `10.1.${Math.floor(i / 250)}.${i % 250}`, containerStatuses: [{ name: "web", ready: true, restartCount: 0, state: { running: { startedAt: new Date().toISOString() } } }] },
      });
    }
    const listMs: number[] = [];
    for (let i = 0; i < LISTS; i++) {
      const t0 = performance.now();
      await request("GET", "/api/v1/namespaces/load/pods");
      listMs.push(performance.now() - t0);
    }
    const selectedMs: number[] = [];
    for (let i = 0; i < LISTS; i++) {
      const t0 = performance.now();
      await request("GET", "/api/v1/namespaces/load/pods?labelSelector=shard%3D3");
      selectedMs.push(performance.now() - t0);
    }

    await request("POST", "/api/v1/namespaces/load/configmaps", { metadata: { name: "tick" }, data: { n: "0" } });
    const sentAt = new Map<string, number>();
    const watchMs: number[] = [];
    let allSeen: () => void = () => undefined;
    const seen = new Promise<void>((r) => (allSeen = r));
    const watchReq = https.request(`${f.url}/api/v1/namespaces/load/configmaps?watch=true&resourceVersion=${f.store.revision}`, { agent: new https.Agent({ ca: f.tls.cert }), headers: { authorization: `Bearer ${f.tokens.admin}` } }, (res) => {
      let buf = "";
      res.on("data", (c: Buffer) => {
        buf += c.toString();
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const e = JSON.parse(line) as { object: { data?: { n?: string } } };
          const n = e.object.data?.n ?? "";
          const t0 = sentAt.get(n);
          if (t0 !== undefined) watchMs.push(performance.now() - t0);
          if (watchMs.length === WRITES) allSeen();
        }
      });
    });
    watchReq.end();
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 1; i <= WRITES; i++) {
      sentAt.set(String(i), performance.now());
      await request("PATCH", "/api/v1/namespaces/load/configmaps/tick", { data: { n: String(i) } });
    }
    await seen;
    watchReq.destroy();

    const fmt = (x: number) => x.toFixed(2).padStart(9);
    console.log("\nsandbox-api: the simulated Kubernetes API (HTTPS, one cluster, 1,000 pods)");
    console.log(`${"measure".padEnd(52)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}`);
    console.log(`${`list 1,000 pods (${LISTS} requests)`.padEnd(52)}${fmt(percentile(listMs, 50))}${fmt(percentile(listMs, 99))}`);
    console.log(`${`list by label selector, 100 of 1,000 (${LISTS} requests)`.padEnd(52)}${fmt(percentile(selectedMs, 50))}${fmt(percentile(selectedMs, 99))}`);
    console.log(`${`write -> watching client sees it (${WRITES} writes)`.padEnd(52)}${fmt(percentile(watchMs, 50))}${fmt(percentile(watchMs, 99))}`);
    console.log("Target: watch p99 < 50 ms.");
  } finally {
    agent.destroy();
    await f.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await benchSandboxApi();
