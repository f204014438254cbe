import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createLogger, type Incident } from "@autodevops/shared";
import { createTestDatabase, eventually, type TestDatabase } from "@autodevops/shared/testing";
import { startSandbox, type RunningSandbox } from "@autodevops/sandbox";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = path.join(REPO, "apps/scarlet/src/main.ts");

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** One more Scarlet process on its own port, beside the rig's (several replicas against one sandbox and one database). */
export interface ScarletReplica {
  name: string;
  url: string;
  output: string[];
  /** Starts the process and waits until it answers /readyz. */
  start(): Promise<void>;
  /** SIGKILL: no shutdown, no lease released. */
  kill(): Promise<void>;
  stop(): Promise<void>;
  /** SIGSTOP and SIGCONT: the process freezes (no renewals, no requests answered) and wakes up later, as a long GC pause or a stalled VM. */
  freeze(): void;
  thaw(): void;
  get<T>(p: string): Promise<T>;
  post(p: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** A sandbox in this process and a database; Scarlet runs as its own process (main.ts), so a test can kill it. */
export interface ScarletRig {
  sandbox: RunningSandbox;
  db: TestDatabase;
  url: string;
  approverToken: string;
  alertsToken: string;
  output: string[];
  /** Starts Scarlet's process; `extraEnv` adds to (or overrides) its environment (PROMETHEUS_URL, say). */
  start(extraEnv?: Record<string, string>): Promise<void>;
  /** SIGKILL: no shutdown of any kind, as a crashed node or an OOM kill. */
  kill(): Promise<void>;
  stop(): Promise<void>;
  get<T>(p: string): Promise<T>;
  post(p: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  incidents(since: Date): Promise<Incident[]>;
  /** The incident whose root cause (or target) is this workload, opened after `since`. */
  incidentFor(workload: string, since: Date, ms?: number, where?: (i: Incident) => boolean): Promise<Incident>;
  inject(fault: Record<string, unknown>): Promise<string>;
  fault(id: string): Promise<{ cured: boolean; curedBy?: string }>;
  mutations(since: Date): Promise<{ verb: string; resource: string; name?: string; user: string; action: string | null }[]>;
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A further Scarlet process named `name` (not started); `env` adds to its environment. close() stops it too. */
  replica(name: string, env?: Record<string, string>): Promise<ScarletReplica>;
  close(): Promise<void>;
}

/** Scarlet's process from main.ts; its output lines go to `output` (the last 400). */
function spawnScarlet(env: NodeJS.ProcessEnv, output: string[]): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], { cwd: REPO, env, stdio: ["pipe", "pipe", "pipe"] });
  const keep = (b: Buffer) => {
    output.push(...b.toString().split("\n").filter(Boolean));
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, exited: new Promise((resolve) => child.once("exit", () => resolve())) };
}

async function getJson<T>(base: string, p: string): Promise<T> {
  const r = await fetch(`${base}${p}`);
  if (!r.ok) throw new Error(`GET ${base}${p}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}
const postJson = (base: string, p: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${p}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });

const waitReady = (url: string, output: string[]) =>
  eventually(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok, `Scarlet ready at ${url}\n${output.slice(-20).join("\n")}`, 60_000, 250);

export async function startRig(): Promise<ScarletRig> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "scarlet-e2e-"));
  const sandbox = await startSandbox({ dataDir, host: "127.0.0.1", controlPort: 0, log: createLogger({ service: "sandbox-test", level: "silent" }) });
  const db = await createTestDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const approverToken = randomBytes(18).toString("base64url");
  const alertsToken = randomBytes(18).toString("base64url");
  const output: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const replicas: ScarletReplica[] = [];
  const envFor = (scarletPort: number, extraEnv: Record<string, string>): NodeJS.ProcessEnv => ({
    ...extraEnv,
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    DATABASE_URL: db.url,
    SANDBOX_URL: sandbox.controlUrl,
    SCARLET_PORT: String(scarletPort),
    AUTODEVOPS_APPROVER_TOKEN: approverToken,
    AUTODEVOPS_ALERTS_TOKEN: alertsToken,
    DATA_DIR: dataDir,
  });

  const rig: ScarletRig = {
    sandbox,
    db,
    url,
    approverToken,
    alertsToken,
    output,
    async start(extraEnv = {}) {
      ({ child, exited } = spawnScarlet(envFor(port, extraEnv), output));
      await waitReady(url, output);
    },
    async kill() {
      child?.kill("SIGKILL");
      await exited;
      child = undefined;
    },
    async stop() {
      child?.kill("SIGTERM");
      await exited;
      child = undefined;
    },
    get: <T>(p: string) => getJson<T>(url, p),
    post: (p, body, headers) => postJson(url, p, body, headers),
    async incidents(since) {
      return (await rig.get<{ incidents: Incident[] }>(`/api/incidents?since=${encodeURIComponent(since.toISOString())}`)).incidents.filter((i) => Date.parse(i.openedAt) >= since.getTime() - 1000);
    },
    incidentFor(workload, since, ms = 60_000, where = () => true) {
      return eventually(
        async () => (await rig.incidents(since)).find((i) => (i.rootCause?.workload ?? i.workload) === workload && where(i)),
        `an incident for ${workload}`,
        ms,
        500,
      );
    },
    async inject(fault) {
      const r = await fetch(`${sandbox.controlUrl}/sandbox/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ namespace: "shop", ...fault }) });
      if (r.status !== 201) throw new Error(`inject: ${r.status} ${await r.text()}`);
      return ((await r.json()) as { id: string }).id;
    },
    async fault(id) {
      const { faults } = (await (await fetch(`${sandbox.controlUrl}/sandbox/faults`)).json()) as { faults: { id: string; cured: boolean; curedBy?: string }[] };
      const f = faults.find((x) => x.id === id);
      if (!f) throw new Error(`no fault ${id}`);
      return f;
    },
    async mutations(since) {
      const r = await fetch(`${sandbox.controlUrl}/sandbox/mutations?since=${encodeURIComponent(since.toISOString())}`);
      return ((await r.json()) as { mutations: Awaited<ReturnType<ScarletRig["mutations"]>> }).mutations;
    },
    async query(sql, params = []) {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        return (await c.query(sql, params)).rows;
      } finally {
        await c.end();
      }
    },
    async replica(name, env = {}) {
      const replicaPort = await freePort();
      const replicaUrl = `http://127.0.0.1:${replicaPort}`;
      const lines: string[] = [];
      let proc: ReturnType<typeof spawnScarlet> | undefined;
      const signal = async (sig: NodeJS.Signals) => {
        proc?.child.kill(sig);
        proc?.child.kill("SIGCONT"); // a frozen process takes its signal only once it runs
        await proc?.exited;
        proc = undefined;
      };
      const r: ScarletReplica = {
        name,
        url: replicaUrl,
        output: lines,
        async start() {
          proc = spawnScarlet(envFor(replicaPort, env), lines);
          await waitReady(replicaUrl, lines);
        },
        kill: () => signal("SIGKILL"),
        stop: () => signal("SIGTERM"),
        freeze: () => void proc?.child.kill("SIGSTOP"),
        thaw: () => void proc?.child.kill("SIGCONT"),
        get: <T>(p: string) => getJson<T>(replicaUrl, p),
        post: (p, body, headers) => postJson(replicaUrl, p, body, headers),
      };
      replicas.push(r);
      return r;
    },
    async close() {
      for (const r of replicas) await r.stop().catch(() => undefined);
      await rig.stop().catch(() => undefined);
      await sandbox.stop();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return rig;
}

/** Puts the estate back to its baseline and waits until every shop workload serves again. */
export async function resetEstate(rig: ScarletRig): Promise<void> {
  const r = await fetch(`${rig.sandbox.controlUrl}/sandbox/reset`, { method: "POST", body: "{}" });
  if (!r.ok) throw new Error(`reset: ${r.status}`);
  const prod = rig.sandbox.clusters.find((c) => c.name === "prod");
  await eventually(
    () =>
      ["apps/deployments", "apps/statefulsets"].every((res) =>
        (prod?.store.list(res, { namespace: "shop" }).items ?? []).every((w) => {
          const o = w as unknown as { spec?: { replicas?: number }; status?: { readyReplicas?: number } };
          return (o.status?.readyReplicas ?? 0) === (o.spec?.replicas ?? 1);
        }),
      ),
    "the estate ready after reset",
    60_000,
    250,
  );
}
