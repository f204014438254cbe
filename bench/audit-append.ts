// Appends per second into the audit store: one writer awaiting each append, one writer with many
// appends in flight (group commit), and four writers on their own connections at once; on the
// machine's Postgres and on the embedded one. Numbers, not pass/fail.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createLogger, PgAuditStore, runMigrations, startEmbeddedPostgres } from "@autodevops/shared";
import { withTempDatabase } from "./temp-database.js";

const log = createLogger({ service: "bench", level: "warn" });
const SEQUENTIAL = Number(process.env.BENCH_AUDIT_SEQUENTIAL ?? 5000);
const PIPELINED = Number(process.env.BENCH_AUDIT_PIPELINED ?? 20000);
const PER_WRITER = Number(process.env.BENCH_AUDIT_PER_WRITER ?? 2500);

interface Row {
  target: string;
  scenario: string;
  events: number;
  seconds: number;
}

const event = (i: number, actor: string) => ({
  actor,
  type: "action.succeeded" as const,
  incidentId: `inc-${i % 50}`,
  target: `prod/shop/svc-${i % 7}`,
  cluster: "prod",
  namespace: "shop",
  data: { i, action: "rollout-restart", reason: "CrashLoopBackOff for 3m", attempt: 1 },
});

async function timed(fn: () => Promise<number>): Promise<{ events: number; seconds: number }> {
  const start = process.hrtime.bigint();
  const events = await fn();
  return { events, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

async function mustAppend(store: PgAuditStore, e: ReturnType<typeof event>): Promise<void> {
  const r = await store.append(e);
  if (!r.ok) throw new Error(r.error.message);
}

async function runScenarios(target: string, databaseUrl: string): Promise<Row[]> {
  await runMigrations({ databaseUrl, log });
  const rows: Row[] = [];

  const single = new PgAuditStore(databaseUrl, log, 1);
  // Warm-up, not counted: the JIT, the prepared statements and the server's caches.
  for (let i = 0; i < 500; i++) await mustAppend(single, event(i, "warm-up"));
  rows.push({
    target,
    scenario: "1 writer, each append awaited",
    ...(await timed(async () => {
      for (let i = 0; i < SEQUENTIAL; i++) await mustAppend(single, event(i, "bench-1"));
      return SEQUENTIAL;
    })),
  });
  rows.push({
    target,
    scenario: "1 writer, 64 appends in flight",
    ...(await timed(async () => {
      let next = 0;
      const lane = async () => {
        while (next < PIPELINED) await mustAppend(single, event(next++, "bench-1"));
      };
      await Promise.all(Array.from({ length: 64 }, lane));
      return PIPELINED;
    })),
  });
  await single.close();

  const writers = Array.from({ length: 4 }, () => new PgAuditStore(databaseUrl, log, 1));
  rows.push({
    target,
    scenario: "4 writers, each append awaited",
    ...(await timed(async () => {
      await Promise.all(
        writers.map(async (w, n) => {
          for (let i = 0; i < PER_WRITER; i++) await mustAppend(w, event(i, `bench-${n}`));
        }),
      );
      return PER_WRITER * writers.length;
    })),
  });
  const verdict = await writers[0]?.verifyChain();
  await Promise.all(writers.map((w) => w.close()));
  if (!verdict?.ok || !verdict.value.valid) throw new Error(`chain invalid after the benchmark: ${JSON.stringify(verdict)}`);
  return rows;
}


export async function benchAuditAppend(): Promise<void> {
  const rows: Row[] = [];
  const machineUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  rows.push(...(await withTempDatabase(machineUrl, "autodevops_bench", (url) => runScenarios("machine Postgres", url))));

  const dir = await mkdtemp(path.join(tmpdir(), "autodevops-bench-pg-"));
  const started = await startEmbeddedPostgres({ dataDir: dir, port: 54390 + (process.pid % 50), log });
  if (!started.ok) throw new Error(started.error.message);
  const embedded = started.value;
  try {
    rows.push(...(await runScenarios("embedded Postgres", embedded.url)));
  } finally {
    await embedded.stop();
    await rm(dir, { recursive: true, force: true });
  }

  console.log("\naudit-append: appends per second into the hash-chained audit log");
  console.log(`${"target".padEnd(20)}${"scenario".padEnd(40)}${"events".padStart(8)}${"seconds".padStart(10)}${"appends/s".padStart(12)}`);
  for (const r of rows) {
    const rate = Math.round(r.events / r.seconds);
    console.log(`${r.target.padEnd(20)}${r.scenario.padEnd(40)}${String(r.events).padStart(8)}${r.seconds.toFixed(2).padStart(10)}${String(rate).padStart(12)}`);
  }
  console.log(
    "A writer is one store (one process, one connection). Awaiting each append costs a round trip and a commit;\n" +
      "appends in flight together share commits (group commit), as in a busy Scarlet.",
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await benchAuditAppend();
}
