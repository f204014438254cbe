// Jamie's embedded memory (Postgres rows, in-process cosine index, local hashed n-gram embeddings):
// insert throughput in batches, the first recall of a new process (loads the index), then the
// latency of 200 recalls at 10k and at 100k memories. Numbers, not pass/fail.
import { cpus, loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { createLogger } from "@autodevops/shared";
import { EmbeddedMemory, migrateJamie } from "../apps/jamie/src/memory/embedded-memory.js";
import { LocalHashEmbedder } from "../apps/jamie/src/memory/embeddings.js";
import type { MemoryKind, RememberInput } from "../apps/jamie/src/memory/types.js";
import { withTempDatabase } from "./temp-database.js";

const log = createLogger({ service: "bench", level: "warn" });
const SIZES = (process.env.BENCH_MEMORY_SIZES ?? "10000,100000").split(",").map(Number);
const RECALLS = Number(process.env.BENCH_MEMORY_RECALLS ?? 200);
const BATCH = 1000;

const SERVICES = ["cart", "checkout", "payments", "orders", "search", "catalog", "auth", "gateway", "billing", "inventory", "shipping", "email"];
const SYMPTOMS = ["pods crash looping", "OOMKilled after deploy", "p99 latency above 2s", "5xx rate spiking", "image pull back-off", "readiness probe failing", "disk pressure evictions", "connection pool exhausted", "certificate expired", "queue depth growing", "CPU throttled at the limit", "DNS lookups timing out"];
const CAUSES = ["a bad config push", "a memory leak in the new release", "a traffic spike from a sale", "a node going NotReady", "a slow database query", "a missing secret", "an expired token", "a noisy neighbour"];
const FIXES = ["rolled back", "restarted the deployment", "scaled up to 6 replicas", "cordoned and drained the node", "escalated to the on-call", "raised the memory limit"];
const KINDS: MemoryKind[] = ["incident", "conversation", "feedback"];

/** A small deterministic generator, so every run stores and asks the same things. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const pick = <T>(r: () => number, xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;

function memoryAt(i: number, r: () => number): RememberInput {
  const kind = pick(r, KINDS);
  return {
    id: `bench-${i}`,
    kind,
    // Incidents are shared; conversations and feedback belong to one of 200 users.
    userId: kind === "incident" ? null : `user-${Math.floor(r() * 200)}`,
    text: `${pick(r, SERVICES)} ${pick(r, SYMPTOMS)} in ${pick(r, ["prod", "staging"])} caused by ${pick(r, CAUSES)}; ${pick(r, FIXES)} (#${i})`,
    metadata: { seq: i },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

interface Row {
  records: number;
  insertedPerSec: number;
  loadMs: number;
  p50: number;
  p95: number;
  max: number;
  cpuMsPerRecall: number;
}


async function run(databaseUrl: string): Promise<Row[]> {
  await migrateJamie(databaseUrl, log);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const embedder = new LocalHashEmbedder();
  const writer = new EmbeddedMemory({ pool, embedder, log });
  const rows: Row[] = [];
  const r = rng(42);
  let stored = 0;
  try {
    for (const size of SIZES) {
      const started = performance.now();
      const added = size - stored;
      while (stored < size) {
        const batch: RememberInput[] = [];
        for (let i = 0; i < BATCH && stored < size; i++) batch.push(memoryAt(stored++, r));
        await writer.rememberMany(batch);
      }
      const insertedPerSec = added / ((performance.now() - started) / 1000);

      // A new process: its first recall loads the index; the timed recalls come after.
      const reader = new EmbeddedMemory({ pool, embedder, log });
      const q = rng(7);
      const query = () => `${pick(q, ["have we seen", "why is", "what fixed", ""])} ${pick(q, SERVICES)} ${pick(q, SYMPTOMS)}`.trim();
      const loadStarted = performance.now();
      await reader.recall(query(), { userId: "user-1" });
      const loadMs = performance.now() - loadStarted;
      const times: number[] = [];
      let empty = 0;
      const cpuBefore = process.cpuUsage();
      for (let i = 0; i < RECALLS; i++) {
        const t = performance.now();
        const hits = await reader.recall(query(), { userId: `user-${Math.floor(q() * 200)}`, limit: 5 });
        times.push(performance.now() - t);
        if (hits.length === 0) empty++;
      }
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMsPerRecall = (cpu.user + cpu.system) / 1000 / RECALLS;
      if (empty > 0) throw new Error(`${empty} of ${RECALLS} recalls found nothing: the benchmark is not measuring recall`);
      await reader.close();
      times.sort((a, b) => a - b);
      rows.push({ records: size, insertedPerSec, loadMs, p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1] as number, cpuMsPerRecall });
    }
  } finally {
    await writer.close();
    await pool.end();
  }
  return rows;
}

export async function benchJamieMemory(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const rows = await withTempDatabase(adminUrl, "autodevops_bench_memory", run);
  console.log("\njamie-memory: embedded backend (Postgres + in-process index), local 384-d hashed n-gram embeddings");
  console.log(`${"memories".padStart(9)}${"insert/s".padStart(11)}${"first recall ms".padStart(17)}${"recall p50 ms".padStart(15)}${"recall p95 ms".padStart(15)}${"max ms".padStart(9)}${"CPU ms/recall".padStart(15)}`);
  for (const r of rows) {
    console.log(
      `${String(r.records).padStart(9)}${String(Math.round(r.insertedPerSec)).padStart(11)}${r.loadMs.toFixed(0).padStart(17)}${r.p50.toFixed(2).padStart(15)}${r.p95.toFixed(2).padStart(15)}${r.max.toFixed(2).padStart(9)}${r.cpuMsPerRecall.toFixed(2).padStart(15)}`,
    );
  }
  console.log(
    `Inserts: batches of ${BATCH} (embedding included) into a table that already holds the earlier rows. A recall embeds the\n` +
      `query, asks Postgres what other replicas changed, scores every record in process, then reads the top 5 rows; ${RECALLS} recalls,\n` +
      "each for a random user (own records plus the shared incidents). The first recall of a new process loads the index.\n" +
      `CPU ms/recall is this process's own CPU time (all threads) per recall; load average at the end: ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores.`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await benchJamieMemory();
}
