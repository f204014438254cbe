import { existsSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isProcessAlive } from "../../scripts/supervisor/processes.js";
import {
  childrenOf,
  ensureStopped,
  freePorts,
  postmasterPid,
  printedPostgresUrl,
  startSupervisor,
  supervisorPid,
  tempDataDir,
  type Ports,
  type Started,
} from "./harness.js";

// `npm start` for real: the embedded Postgres from node_modules, the migrations, the lock.
// One data dir is shared by the tests in order (a start costs a few seconds); each test that
// needs a running instance starts from the state the one before left.

const READY = /Ctrl-C stops everything/;

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("npm start", () => {
  let dataDir: string;
  let ports: Ports;
  let env: Record<string, string>;
  const runs: Started[] = [];
  const start = () => {
    const run = startSupervisor(env);
    runs.push(run);
    return run;
  };

  beforeAll(async () => {
    dataDir = await tempDataDir();
    ports = await freePorts();
    env = { DATA_DIR: dataDir, ...ports };
  });

  afterAll(async () => {
    for (const run of runs) await ensureStopped(run);
    await rm(dataDir, { recursive: true, force: true });
  });

  let first: Started;

  it("becomes ready and prints the table within 60 s", async () => {
    const t0 = Date.now();
    first = start();
    await first.waitFor(READY, 60_000);
    expect(Date.now() - t0).toBeLessThan(60_000);
    const out = first.output();
    expect(out).toMatch(/^\s+postgres\s+ready\s+postgres:\/\/127\.0\.0\.1:\d+\/autodevops/m);
    expect(out).toMatch(/^\s+migrate\s+done/m);
    expect(out).toMatch(/^\s+jamie\s+ready\s+http:\/\/127\.0\.0\.1:\d+/m);
    expect(out).toMatch(/^\s+Portal password\s+\S{12,}\s+JAMIE_DEMO_PASSWORD; users admin, approver, viewer, generated for this run/m);
    expect(out).toMatch(/^\s+Approver token\s+\S{16,}\s+AUTODEVOPS_APPROVER_TOKEN, generated for this run/m);
    expect(out).toMatch(/^\s+API key\s+\S{16,}\s+AUTODEVOPS_API_KEY, generated for this run/m);
  });

  it("serves SELECT 1 on the printed Postgres URL, listening on loopback only", async () => {
    const url = printedPostgresUrl(first.output());
    expect(new URL(url).port).toBe(ports.EMBEDDED_PG_PORT);
    expect(await query<{ one: number }>(url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    expect(await query<{ v: string }>(url, "SELECT current_setting('listen_addresses') AS v")).toEqual([{ v: "127.0.0.1" }]);
    await query(url, "CREATE TABLE survives_restart (note text); INSERT INTO survives_restart VALUES ('kept')");
  });

  it("refuses a second start with the same DATA_DIR, naming the running one, without disturbing it", async () => {
    const second = start();
    const { code } = await second.exited;
    expect(code).toBe(1);
    expect(second.stderr()).toContain(`Auto-DevOps is already running (pid ${supervisorPid(dataDir)}, started at `);
    expect(await query(printedPostgresUrl(first.output()), "SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("stops everything on SIGINT and exits 0, leaving no Postgres behind", async () => {
    const postmaster = postmasterPid(dataDir);
    first.child.kill("SIGINT");
    expect((await first.exited).code).toBe(0);
    expect(first.output()).toContain("all stopped");
    expect(isProcessAlive(postmaster)).toBe(false);
    expect(existsSync(path.join(dataDir, "supervisor.lock"))).toBe(false);
  });

  it("keeps the data across a restart", async () => {
    const again = start();
    await again.waitFor(READY, 60_000);
    expect(await query(printedPostgresUrl(again.output()), "SELECT note FROM survives_restart")).toEqual([{ note: "kept" }]);
    // The password was generated once and is reused.
    expect(printedPostgresUrl(again.output())).toBe(printedPostgresUrl(first.output()));
    again.child.kill("SIGINT");
    expect((await again.exited).code).toBe(0);
  });

  it("reports Postgres dying, with its last lines, and exits 1", async () => {
    const run = start();
    await run.waitFor(READY, 60_000);
    process.kill(postmasterPid(dataDir), "SIGKILL");
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toMatch(/postgres stopped unexpectedly \(exit code 1\)\. Its last output:/);
    expect(run.stderr()).toContain("Postgres exited unexpectedly");
    expect(run.stderr()).toContain("Auto-DevOps stopped because postgres failed.");
  });

  it("reports the postgres component killed outright and stops the Postgres it leaves behind", async () => {
    const run = start();
    await run.waitFor(READY, 60_000);
    const postmaster = postmasterPid(dataDir);
    const component = childrenOf(supervisorPid(dataDir)).find((c) => c.cmdline.includes("components/postgres.ts"));
    expect(component).toBeDefined();
    process.kill(component?.pid ?? 0, "SIGKILL");
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toContain("postgres stopped unexpectedly (killed by SIGKILL)");
    expect(isProcessAlive(postmaster)).toBe(false);
  });

  it("stops a Postgres left running by a supervisor killed with -9, then starts", async () => {
    const run = start();
    await run.waitFor(READY, 60_000);
    const postmaster = postmasterPid(dataDir);
    const supervisor = supervisorPid(dataDir);
    const component = childrenOf(supervisor).find((c) => c.cmdline.includes("components/postgres.ts"));
    // Killing the component first leaves nobody to stop Postgres: a true leftover.
    process.kill(component?.pid ?? 0, "SIGKILL");
    process.kill(supervisor, "SIGKILL");
    await run.exited;
    expect(isProcessAlive(postmaster)).toBe(true);

    const next = start();
    await next.waitFor(READY, 60_000);
    expect(next.output()).toContain("replaced the lock of an earlier run that did not stop cleanly");
    expect(next.output()).toContain("stopping a Postgres left running by an earlier run");
    expect(isProcessAlive(postmaster)).toBe(false);
    expect(await query(printedPostgresUrl(next.output()), "SELECT note FROM survives_restart")).toEqual([{ note: "kept" }]);
    next.child.kill("SIGINT");
    expect((await next.exited).code).toBe(0);
  });

  it("is not blocked by a postmaster.pid whose process is gone", async () => {
    // What a machine crash leaves: the pid file of a postmaster that no longer exists.
    writeFileSync(path.join(dataDir, "postgres", "postmaster.pid"), `99999999\n${path.join(dataDir, "postgres")}\n1700000000\n${ports.EMBEDDED_PG_PORT}\n\n127.0.0.1\n  0  0\nready\n`);
    const run = start();
    await run.waitFor(READY, 60_000);
    expect(run.output()).toContain("removing a stale postmaster.pid left by an earlier run");
    run.child.kill("SIGINT");
    expect((await run.exited).code).toBe(0);
  });
});

describe("npm start refusing to start", () => {
  it("exits 1 naming every bad variable, before creating anything", async () => {
    const dataDir = path.join(tmpdir(), `autodevops-never-${process.pid}-${Date.now()}`);
    const run = startSupervisor({ ...(await freePorts()), DATA_DIR: dataDir, LOG_LEVEL: "loud", SCARLET_PORT: "abc" });
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toContain("LOG_LEVEL");
    expect(run.stderr()).toContain("SCARLET_PORT");
    expect(existsSync(dataDir)).toBe(false);
  });

  it("names a port that another program holds, and starts nothing", async () => {
    const dataDir = await tempDataDir();
    const ports = await freePorts();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(ports.EMBEDDED_PG_PORT), "127.0.0.1", resolve));
    try {
      const run = startSupervisor({ ...ports, DATA_DIR: dataDir });
      expect((await run.exited).code).toBe(1);
      expect(run.stderr()).toContain(`Port ${ports.EMBEDDED_PG_PORT} on 127.0.0.1 (EMBEDDED_PG_PORT, for postgres) is in use by pid ${process.pid}`);
      expect(existsSync(path.join(dataDir, "postgres"))).toBe(false);
    } finally {
      await new Promise((r) => blocker.close(r));
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
