import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, PgAuditStore, runMigrations } from "@autodevops/shared";
import { createTestDatabase, type TestDatabase } from "@autodevops/shared/testing";

const worker = fileURLToPath(new URL("./fixtures/append-worker.ts", import.meta.url));
let db: TestDatabase;

interface Worker {
  ready: Promise<void>;
  go(): void;
  done: Promise<{ appended: number; failed: number }>;
}

/** Starts a worker process; it connects, says "ready", and appends once `go()` is called. */
function startWorker(url: string, count: number, actor: string): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", worker, url, String(count), actor], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let errText = "";
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
    if (out.startsWith("ready\n")) markReady();
  });
  child.stderr.on("data", (c: Buffer) => (errText += c.toString()));
  const done = new Promise<{ appended: number; failed: number }>((resolve, reject) => {
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`worker ${actor} exited ${code}: ${errText}`));
      else resolve(JSON.parse(out.slice("ready\n".length).trim()) as { appended: number; failed: number });
    });
  });
  return { ready: Promise.race([ready, done.then(() => undefined)]), go: () => child.stdin.end("go\n"), done };
}

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations({ databaseUrl: db.url, log: createLogger({ service: "test", level: "silent" }) });
});
afterAll(async () => {
  await db?.drop();
});

describe("audit chain under concurrent writers", () => {
  it("stays one valid chain when two processes append 1,000 events each at the same time", async () => {
    const workers = [startWorker(db.url, 1000, "writer-a"), startWorker(db.url, 1000, "writer-b")];
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    const [a, b] = await Promise.all(workers.map((w) => w.done));
    expect(a).toMatchObject({ appended: 1000, failed: 0 });
    expect(b).toMatchObject({ appended: 1000, failed: 0 });

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const stats = await client.query<{ n: string; min: string; max: string; a: string; b: string }>(
      `SELECT count(*) n, min(seq) min, max(seq) max,
              count(*) FILTER (WHERE actor = 'writer-a') a, count(*) FILTER (WHERE actor = 'writer-b') b FROM audit_events`,
    );
    // The two writers really interleaved: otherwise this test would not exercise concurrency.
    const switches = await client.query<{ n: string }>(
      "SELECT count(*) n FROM (SELECT actor, lag(actor) OVER (ORDER BY seq) prev FROM audit_events) x WHERE actor <> prev",
    );
    await client.end();
    expect(stats.rows[0]).toEqual({ n: "2000", min: "1", max: "2000", a: "1000", b: "1000" });
    expect(Number(switches.rows[0]?.n)).toBeGreaterThan(10);

    const store = new PgAuditStore(db.url, createLogger({ service: "test", level: "silent" }));
    const verdict = await store.verifyChain();
    await store.close();
    expect(verdict).toEqual({ ok: true, value: expect.objectContaining({ valid: true, checked: 2000, headSeq: 2000 }) });
  });
});
