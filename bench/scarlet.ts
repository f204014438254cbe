// Scarlet end to end, in process: the sandbox, a fresh Postgres database and Scarlet booted as
// main.ts boots it. Three measures: injection -> incident for faults the cluster watch sees
// (target p95 < 5 s), injection -> cured for faults Scarlet fixes on its own (target p95 < 30 s),
// and an Alertmanager storm over HTTP (target >= 5,000 alerts/min, none lost, one incident per
// root cause). Numbers, not pass/fail: a miss is printed, not thrown.
import { randomBytes } from "node:crypto";
import http from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createLogger, type AlertmanagerWebhook, type Incident, type WebhookAlert } from "@autodevops/shared";
import { createTestDatabase } from "@autodevops/shared/testing";
import { startSandbox, type RunningSandbox } from "@autodevops/sandbox";
import { bootScarlet, type BootedScarlet } from "@autodevops/scarlet";

const DETECT_RUNS = Number(process.env.BENCH_SCARLET_DETECT_RUNS ?? 10);
const CURE_RUNS = Number(process.env.BENCH_SCARLET_CURE_RUNS ?? 5);
const STORM_ALERTS = Number(process.env.BENCH_SCARLET_STORM_ALERTS ?? 6000);
const STORM_BATCH = 50;
const STORM_IN_FLIGHT = 8;
const DETECT_TIMEOUT_MS = 30_000;
const CURE_TIMEOUT_MS = 120_000;
const log = createLogger({ service: "bench", level: "warn" });

/** Faults the watch sees (pod statuses, events), rotated over the runs. */
const VISIBLE: readonly { kind: string; target: string }[] = [
  { kind: "crashloop", target: "cart" },
  { kind: "image-pull", target: "catalog" },
  { kind: "oom", target: "payments" },
  { kind: "hung-replica", target: "checkout" },
  { kind: "config-error", target: "cart" },
];
/** Faults a playbook cures without asking anyone. */
const FIXABLE: readonly { kind: string; target: string }[] = [
  { kind: "crashloop", target: "cart" },
  { kind: "hung-replica", target: "checkout" },
  { kind: "dependency-down", target: "redis-cart" },
];

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface FaultView {
  id: string;
  kind: string;
  target: string;
  cured: boolean;
  curedBy?: string;
}

/**
 * The sandbox's control API, as a tester would drive it. A new connection per call: sandbox,
 * Scarlet and bench share one event loop, so after a stall the server's keep-alive timer and the
 * client's reuse of an idle socket race, and a reused socket can be reset under a request.
 */
function control(sandbox: RunningSandbox) {
  const call = (method: string, p: string, body?: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const req = http.request(`${sandbox.controlUrl}${p}`, { method, agent: false, headers: { "content-type": "application/json" } }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => {
          const status = res.statusCode ?? 500;
          if (status >= 300) reject(new Error(`${method} ${p}: ${status} ${text}`));
          else resolve(JSON.parse(text) as unknown);
        });
      });
      req.on("error", reject);
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${p}: no answer in 30 s`)));
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  return {
    reset: () => call("POST", "/sandbox/reset", {}),
    inject: async (kind: string, target: string) => ((await call("POST", "/sandbox/faults", { kind, namespace: "shop", target })) as { id: string }).id,
    faults: async () => ((await call("GET", "/sandbox/faults")) as { faults: FaultView[] }).faults,
    clear: (id: string) => call("DELETE", `/sandbox/faults/${encodeURIComponent(id)}`).catch(() => undefined),
  };
}

/** Every shop Deployment and StatefulSet has all its replicas available, read from the prod store. */
function estateHealthy(sandbox: RunningSandbox): boolean {
  const prod = sandbox.clusters.find((c) => c.name === "prod");
  if (!prod) throw new Error("the sandbox has no prod cluster");
  type Workload = { spec?: { replicas?: number }; status?: { availableReplicas?: number; readyReplicas?: number } };
  const deployments = prod.store.list("apps/deployments", { namespace: "shop" }).items as unknown as Workload[];
  const statefulSets = prod.store.list("apps/statefulsets", { namespace: "shop" }).items as unknown as Workload[];
  return (
    deployments.length > 0 &&
    deployments.every((d) => (d.status?.availableReplicas ?? 0) === (d.spec?.replicas ?? 1)) &&
    statefulSets.every((s) => (s.status?.readyReplicas ?? 0) === (s.spec?.replicas ?? 1))
  );
}

async function untilHealthy(sandbox: RunningSandbox, withinMs = 60_000): Promise<void> {
  const until = Date.now() + withinMs;
  while (!estateHealthy(sandbox)) {
    if (Date.now() > until) throw new Error(`the shop estate was not healthy within ${withinMs / 1000} s`);
    await sleep(100);
  }
}

const about = (i: Incident, workload: string) => i.workload === workload || i.rootCause?.workload === workload;

/**
 * The incident that shows the fault: one about the target opened since `t0`, or an older one
 * still open that took a signal dated since `t0` (the same fingerprint joins, it does not reopen).
 */
function showing(incidents: Incident[], workload: string, t0: Date): { incident: Incident; joined: boolean } | undefined {
  const mine = incidents.filter((i) => about(i, workload));
  const opened = mine.find((i) => Date.parse(i.openedAt) >= t0.getTime());
  if (opened) return { incident: opened, joined: false };
  const joined = mine.find((i) => i.signals.some((s) => Date.parse(s.at) >= t0.getTime()));
  return joined ? { incident: joined, joined: true } : undefined;
}

interface DetectRun {
  kind: string;
  target: string;
  ms?: number;
  joined?: boolean;
  title?: string;
}

async function measureDetection(sandbox: RunningSandbox, scarlet: BootedScarlet): Promise<DetectRun[]> {
  const ctl = control(sandbox);
  const runs: DetectRun[] = [];
  for (let n = 0; n < DETECT_RUNS; n++) {
    const { kind, target } = VISIBLE[n % VISIBLE.length] ?? { kind: "crashloop", target: "cart" };
    await ctl.reset();
    await untilHealthy(sandbox);
    const t0 = new Date();
    const started = performance.now();
    const id = await ctl.inject(kind, target);
    const run: DetectRun = { kind, target };
    while (performance.now() - started < DETECT_TIMEOUT_MS) {
      const hit = showing(await scarlet.api.listIncidents({ since: t0 }), target, t0);
      if (hit) {
        Object.assign(run, { ms: performance.now() - started, joined: hit.joined, title: hit.incident.title });
        break;
      }
      await sleep(100);
    }
    await ctl.clear(id);
    runs.push(run);
    const how = run.ms === undefined ? "no incident" : `${(run.ms / 1000).toFixed(2)} s, ${run.joined ? "joined an open incident" : "new incident"}: ${run.title ?? ""}`;
    console.log(`  incident  ${`${kind} on ${target}`.padEnd(32)}${how}`);
  }
  return runs;
}

interface CureRun {
  kind: string;
  target: string;
  ms?: number;
  curedBy?: string;
  /** What Scarlet made of it: the incident's status, route and actions when the run ended. */
  scarlet?: string;
}

const outcomeOf = (i: Incident | undefined) =>
  i === undefined
    ? "no incident"
    : `incident ${i.status}, ${i.rootCause?.kind ?? "no root cause"}, route ${i.decision?.route ?? "none"}${i.decision?.action ? ` (${i.decision.action.kind})` : ""}, actions [${i.actions.map((a) => `${a.kind} ${a.status}`).join("; ")}]`;

async function measureCures(sandbox: RunningSandbox, scarlet: BootedScarlet): Promise<CureRun[]> {
  const ctl = control(sandbox);
  const runs: CureRun[] = [];
  for (let n = 0; n < CURE_RUNS; n++) {
    const { kind, target } = FIXABLE[n % FIXABLE.length] ?? { kind: "crashloop", target: "cart" };
    await ctl.reset();
    await untilHealthy(sandbox);
    const t0 = new Date();
    const started = performance.now();
    const id = await ctl.inject(kind, target);
    const run: CureRun = { kind, target };
    while (performance.now() - started < CURE_TIMEOUT_MS) {
      const f = (await ctl.faults()).find((x) => x.id === id);
      if (f?.cured) {
        Object.assign(run, { ms: performance.now() - started, ...(f.curedBy ? { curedBy: f.curedBy } : {}) });
        break;
      }
      await sleep(200);
    }
    const hit = showing(await scarlet.api.listIncidents({ since: t0 }), target, t0);
    run.scarlet = `${hit?.joined ? "joined an older " : ""}${outcomeOf(hit?.incident)}`;
    await ctl.clear(id);
    runs.push(run);
    console.log(`  cure      ${`${kind} on ${target}`.padEnd(32)}${run.ms === undefined ? "not cured" : `${(run.ms / 1000).toFixed(2)} s, cured by ${run.curedBy ?? "?"}`}; ${run.scarlet}`);
  }
  return runs;
}

const SAFE = "bcdfghjklmnpqrstvwxz2456789";
const suffix = (n: number) => Array.from(randomBytes(n), (b) => SAFE[b % SAFE.length]).join("");

/**
 * The storm's root causes: each gives many alerts, from many pods, all with their own fingerprint.
 * Workloads the fault runs never touch: an open or just-resolved incident of the same fingerprint
 * would absorb their alerts (or count them as its tail) and open nothing.
 */
const STORM_ROOTS: readonly { workload: string; labels: (i: number) => Record<string, string> }[] = [
  { workload: "frontend", labels: () => ({ alertname: "KubePodCrashLooping", workload_type: "Deployment", pod: `frontend-6b7c9d8f5-${suffix(5)}`, container: "frontend", severity: "warning" }) },
  {
    workload: "catalog-db",
    labels: (i) => ({ alertname: "KubePersistentVolumeFillingUp", persistentvolumeclaim: "data-catalog-db-0", pod: "catalog-db-0", instance: `10.0.${i % 250}.${(i >> 8) % 250}:8080`, severity: "critical" }),
  },
];

/** Alertmanager v4 notifications of `STORM_BATCH` alerts each, round-robin over the roots. */
function stormPayloads(total: number): AlertmanagerWebhook[] {
  const alerts: WebhookAlert[] = Array.from({ length: total }, (_, i) => {
    const root = STORM_ROOTS[i % STORM_ROOTS.length] ?? STORM_ROOTS[0];
    if (!root) throw new Error("no storm roots");
    return {
      status: "firing",
      labels: { cluster: "prod", namespace: "shop", workload: root.workload, ...root.labels(i) },
      annotations: { summary: `storm alert ${i} on ${root.workload}` },
      startsAt: new Date(Date.now() - 120_000 + (i % 1000)).toISOString(),
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "http://127.0.0.1:9090/graph",
      fingerprint: `${i.toString(16).padStart(8, "0")}${randomBytes(4).toString("hex")}`,
    };
  });
  const payloads: AlertmanagerWebhook[] = [];
  for (let i = 0; i < alerts.length; i += STORM_BATCH) {
    const batch = alerts.slice(i, i + STORM_BATCH);
    payloads.push({
      version: "4",
      groupKey: `{}:{alertname="storm",batch="${i / STORM_BATCH}"}`,
      truncatedAlerts: 0,
      status: "firing",
      receiver: "scarlet",
      groupLabels: {},
      commonLabels: { cluster: "prod", namespace: "shop" },
      commonAnnotations: {},
      externalURL: "http://127.0.0.1:9093",
      alerts: batch,
    });
  }
  return payloads;
}

interface StormResult {
  sent: number;
  posts: number;
  notOk: string[];
  accepted: number;
  duplicates: number;
  ms: number;
  incidents: Incident[];
}

async function measureStorm(scarlet: BootedScarlet, alertsToken: string): Promise<StormResult> {
  const payloads = stormPayloads(STORM_ALERTS);
  const r: StormResult = { sent: STORM_ALERTS, posts: payloads.length, notOk: [], accepted: 0, duplicates: 0, ms: 0, incidents: [] };
  const since = new Date();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: STORM_IN_FLIGHT }, async () => {
      for (let i = next++; i < payloads.length; i = next++) {
        try {
          const res = await fetch(`${scarlet.url}/alerts`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${alertsToken}` },
            body: JSON.stringify(payloads[i]),
          });
          const text = await res.text();
          if (res.status !== 200) {
            r.notOk.push(`${res.status} ${text.slice(0, 120)}`);
            continue;
          }
          const body = JSON.parse(text) as { accepted: number; duplicates: number };
          r.accepted += body.accepted;
          r.duplicates += body.duplicates;
        } catch (e) {
          r.notOk.push((e as Error).message);
        }
      }
    }),
  );
  r.ms = performance.now() - t0;
  // The desk writes incidents in batches (every 200 ms): give it a moment before counting.
  await sleep(2000);
  r.incidents = (await scarlet.api.listIncidents({ since })).filter((i) => Date.parse(i.openedAt) >= since.getTime());
  return r;
}

const sec = (ms: number) => (ms / 1000).toFixed(2).padStart(9);

function printLatencies(title: string, runs: { ms?: number }[], timeoutMs: number, target: string): void {
  const done = runs.flatMap((x) => (x.ms === undefined ? [] : [x.ms]));
  const misses = runs.length - done.length;
  console.log(
    `${title.padEnd(52)}${String(runs.length).padStart(6)}${(done.length ? sec(percentile(done, 50)) : "-".padStart(9))}${(done.length ? sec(percentile(done, 95)) : "-".padStart(9))}${(done.length ? sec(Math.max(...done)) : "-".padStart(9))}${String(misses).padStart(10)}   ${target}; timeout ${timeoutMs / 1000} s`,
  );
}

export async function benchScarlet(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "bench-scarlet-"));
  const sandbox = await startSandbox({ dataDir, host: "127.0.0.1", controlPort: 0, log });
  let scarlet: BootedScarlet | undefined;
  const db = await createTestDatabase("bench_scarlet").catch(async (e: unknown) => {
    await sandbox.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  });
  try {
    const alertsToken = randomBytes(18).toString("base64url");
    scarlet = await bootScarlet({
      databaseUrl: db.url,
      sandboxUrl: sandbox.controlUrl,
      host: "127.0.0.1",
      port: 0,
      approvers: [{ token: randomBytes(18).toString("base64url"), user: "bench" }],
      alertsToken,
      log,
      // No extra MCP servers: only the kubernetes one Scarlet always starts.
      env: {},
    });
    await untilHealthy(sandbox);
    await sleep(3000);

    console.log("\nscarlet: per run (reset, estate healthy, inject, wait)");
    const detect = await measureDetection(sandbox, scarlet);
    const cures = await measureCures(sandbox, scarlet);
    // The storm last: Scarlet stays loaded for minutes after it, which would skew the timings above.
    const storm = await measureStorm(scarlet, alertsToken);

    console.log(`\nscarlet: in process against the sandbox (prod cluster, namespace shop) and a fresh Postgres database`);
    console.log(`${"measure".padEnd(52)}${"runs".padStart(6)}${"p50 s".padStart(9)}${"p95 s".padStart(9)}${"max s".padStart(9)}${"timeouts".padStart(10)}`);
    printLatencies("injection -> incident (watch-visible faults)", detect, DETECT_TIMEOUT_MS, "target p95 < 5 s");
    printLatencies("injection -> cured (auto-fixable faults)", cures, CURE_TIMEOUT_MS, "target p95 < 30 s");

    const perMin = (storm.sent / storm.ms) * 60_000;
    const lost = storm.sent - storm.accepted - storm.duplicates;
    const expected = STORM_ROOTS.map((x) => x.workload).sort();
    const got = storm.incidents.map((i) => i.workload ?? i.rootCause?.workload ?? i.node ?? i.namespace).sort();
    console.log(`\nscarlet: alert storm, ${storm.sent} alerts in ${storm.posts} POSTs of ${STORM_BATCH} to /alerts, ${STORM_IN_FLIGHT} in flight`);
    console.log(`${"wall time".padEnd(40)}${`${(storm.ms / 1000).toFixed(2)} s`.padStart(14)}`);
    console.log(`${"alerts / min".padEnd(40)}${perMin.toFixed(0).padStart(14)}   target >= 5,000`);
    console.log(`${"POSTs not answered 200".padEnd(40)}${String(storm.notOk.length).padStart(14)}${storm.notOk.length ? `   first: ${storm.notOk[0] ?? ""}` : ""}`);
    console.log(`${"accepted + duplicates".padEnd(40)}${`${storm.accepted} + ${storm.duplicates}`.padStart(14)}   every alert has its own fingerprint: duplicates expected 0`);
    console.log(`${"lost (sent - accepted - duplicates)".padEnd(40)}${String(lost).padStart(14)}   target 0`);
    console.log(`${"incidents opened, expected".padEnd(40)}${String(expected.length).padStart(14)}   ${expected.join(", ")}`);
    console.log(`${"incidents opened, got".padEnd(40)}${String(got.length).padStart(14)}   ${got.join(", ")}`);
  } finally {
    await scarlet?.close().catch((e: unknown) => console.log(`scarlet close failed: ${(e as Error).message}`));
    await sandbox.stop();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await benchScarlet();
