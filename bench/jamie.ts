// Jamie's speed through the real HTTP API, without an LLM: answer latency of the common questions
// (POST /api/chat as JSON; target p95 < 300 ms), the time to the first streamed byte and to the
// first token (server-sent events; target < 200 ms), then memory recall at 10k and 100k memories
// on the embedded backend (benchJamieMemory; target p95 < 50 ms at 100k). In process: the sandbox
// (with a crash-looping shop/cart), the MCP toolbox, a fresh database on the machine's Postgres, the
// Scarlet stand-in. Numbers, not pass/fail.
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { createMcpToolbox } from "@autodevops/mcp-clients";
import { startSandbox } from "@autodevops/sandbox";
import { clustersFromSandbox, mcpConfigFor } from "@autodevops/scarlet";
import { createLogger, loadConfig, PgAuditStore, runMigrations, type Config, type Logger } from "@autodevops/shared";
import { createTestDatabase } from "@autodevops/shared/testing";
import { createAssistant } from "../apps/jamie/src/agent/assistant.js";
import { RateLimiter } from "../apps/jamie/src/auth/rate-limit.js";
import { Sessions } from "../apps/jamie/src/auth/sessions.js";
import { migrateJamie, openMemory } from "../apps/jamie/src/memory/index.js";
import { ConversationStore } from "../apps/jamie/src/portal/conversations.js";
import { createScarletClient } from "../apps/jamie/src/scarlet/scarlet-client.js";
import { sampleApproval, sampleIncident, startScarletStandIn } from "../apps/jamie/src/scarlet/testing/scarlet-stand-in.js";
import { createPortalServer } from "../apps/jamie/src/server/portal-server.js";
import { chatRoutes } from "../apps/jamie/src/server/routes/chat-routes.js";
import { benchJamieMemory } from "./jamie-memory.js";

const log = createLogger({ service: "bench", level: "warn" });
const ROUNDS = Number(process.env.BENCH_JAMIE_ROUNDS ?? 20);
const STREAM_ROUNDS = Number(process.env.BENCH_JAMIE_STREAM_ROUNDS ?? 6);
const API_KEY = "b".repeat(32);
const QUESTIONS = [
  "what's wrong in shop?",
  "status of checkout",
  "why did cart restart?",
  "recent errors in cart",
  "what changed in checkout?",
  "pending approvals",
  "recent incidents",
  "alerts",
];
const TARGET_ANSWER_P95_MS = 300;
const TARGET_FIRST_BYTE_MS = 200;

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

interface BenchJamie {
  url: string;
  close(): Promise<void>;
}

/**
 * Jamie's chat API assembled the way bootJamie assembles it (same migrations, pool, audit store,
 * read-only MCP toolbox, embedded memory, Scarlet client, assistant, sessions with the API key,
 * chatRoutes and createPortalServer), with one difference: the chat limiter. bootJamie builds its
 * own (30/min, burst 10, per user) and takes none from outside, and the API key is one user, so a
 * few hundred sequential questions would mostly measure 429s or the bucket's refill. Here the
 * limiter is the same class with a bound no bench reaches; the limiter itself is still consulted on
 * every request. Only the chat routes are served: the bus, live events, sign-in and Scarlet routes
 * play no part in answering a question.
 */
async function startChatServer(config: Config, databaseUrl: string, l: Logger): Promise<BenchJamie> {
  await runMigrations({ databaseUrl, log: l });
  await migrateJamie(databaseUrl, l);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 8, application_name: "jamie-bench" });
  pool.on("error", (e) => l.warn({ err: e }, "postgres pool client failed"));
  const audit = new PgAuditStore(databaseUrl, l);
  const setup = await clustersFromSandbox(config.urls.sandbox, { waitMs: 60_000 });
  const env = { HOME: process.env.HOME };
  const mcp = await mcpConfigFor(setup, env);
  const toolbox = await createMcpToolbox({ agent: "jamie", config: mcp, audit, log: l });
  const memory = await openMemory({ config: { ...config, database: { ...config.database, url: databaseUrl } }, log: l, pool });
  const scarlet = createScarletClient({ baseUrl: config.urls.scarlet, log: l });
  const assistant = createAssistant({
    toolbox,
    scarlet,
    recall: async (query, userId) => (await memory.recall(query, { userId, limit: 5, minScore: 0.2 })).map((h) => ({ text: h.record.text, score: h.score, kind: h.record.kind, metadata: h.record.metadata })),
    log: l,
  });
  const sessions = new Sessions("s".repeat(40), { secure: false, apiKey: API_KEY });
  const routes = chatRoutes({ assistant, conversations: new ConversationStore(pool), limiter: new RateLimiter({ perMinute: 1_000_000, burst: 1_000_000 }), audit, memory, log: l });
  const server: Server = createPortalServer({ routes, sessions, audit, log: l });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await toolbox.close().catch(() => undefined);
      await memory.close().catch(() => undefined);
      await audit.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}

const ask = (url: string, message: string, accept: string) =>
  fetch(`${url}/api/chat`, { method: "POST", headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json", accept }, body: JSON.stringify({ message }) });

/** One JSON answer: the time until its body has been read whole. */
async function timeAnswer(url: string, message: string): Promise<number> {
  const t = performance.now();
  const r = await ask(url, message, "application/json");
  const body = (await r.json()) as { answer?: string; error?: string };
  const ms = performance.now() - t;
  if (r.status !== 200 || !body.answer) throw new Error(`"${message}" got ${r.status}: ${JSON.stringify(body).slice(0, 200)}`);
  return ms;
}

/** One streamed answer: the times to the first byte of the body (the `conversation` event), to the first `token` event, and to the end. */
async function timeStream(url: string, message: string): Promise<{ firstByte: number; firstToken: number; done: number }> {
  const t = performance.now();
  const r = await ask(url, message, "text/event-stream");
  if (r.status !== 200 || !r.body) throw new Error(`"${message}" streamed ${r.status}`);
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let firstByte = NaN;
  let firstToken = NaN;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (Number.isNaN(firstByte) && value.byteLength > 0) firstByte = performance.now() - t;
    text += decoder.decode(value, { stream: true });
    if (Number.isNaN(firstToken) && text.includes("event: token\n")) firstToken = performance.now() - t;
  }
  const done = performance.now() - t;
  if (!text.startsWith("event: conversation\n")) throw new Error(`"${message}" streamed no conversation event first: ${text.slice(0, 200)}`);
  if (!text.includes("event: done\n")) throw new Error(`"${message}" streamed no done event: ${text.slice(-300)}`);
  return { firstByte, firstToken, done };
}

const ms = (x: number) => x.toFixed(1);

export async function benchJamie(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "bench-jamie-"));
  const sandbox = await startSandbox({ dataDir, host: "127.0.0.1", controlPort: 0, log });
  const db = await createTestDatabase("autodevops_bench_jamie");
  const scarletStandIn = await startScarletStandIn({ incidents: [sampleIncident()], approvals: [sampleApproval()] });
  let jamie: BenchJamie | undefined;
  const answers = new Map<string, number[]>(QUESTIONS.map((q) => [q, []]));
  const streams: { firstByte: number; firstToken: number; done: number }[] = [];
  try {
    // What bootJamie reads too; no OPENAI_API_KEY or OLLAMA_* here, so the LLM provider is "none".
    const config = loadConfig({ SANDBOX_URL: sandbox.controlUrl, SCARLET_URL: scarletStandIn.url, DATABASE_URL: db.url, LOG_LEVEL: "warn" });
    if (config.llm.provider !== "none") throw new Error("this bench measures the answers without an LLM");
    jamie = await startChatServer(config, db.url, log);
    const inject = await fetch(`${sandbox.controlUrl}/sandbox/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ kind: "crashloop", namespace: "shop", target: "cart" }) });
    if (inject.status !== 201) throw new Error(`the crashloop fault was not injected: ${inject.status} ${await inject.text()}`);
    // As in the portal API test: the pods restart and their logs and metrics appear over a few seconds.
    await new Promise((r) => setTimeout(r, 4000));
    const check = (await (await ask(jamie.url, "what's wrong in shop?", "application/json")).json()) as { answer?: string };
    if (!check.answer?.includes("cart")) throw new Error(`the answer does not find the crash-looping cart, so the bench would not measure real work: ${check.answer ?? ""}`);

    // Warm-up, not counted: the JIT, the MCP sessions, the pool's connections, the memory's index.
    for (const q of QUESTIONS) await timeAnswer(jamie.url, q);
    for (const q of QUESTIONS.slice(0, 2)) await timeStream(jamie.url, q);

    // Interleaved, so every question type sees the estate cache (30 s) both fresh and expiring.
    for (let round = 0; round < ROUNDS; round++) for (const q of QUESTIONS) answers.get(q)?.push(await timeAnswer(jamie.url, q));
    for (let round = 0; round < STREAM_ROUNDS; round++) for (const q of QUESTIONS) streams.push(await timeStream(jamie.url, q));
  } finally {
    await jamie?.close();
    await scarletStandIn.close();
    await sandbox.stop();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }

  const all = [...answers.values()].flat();
  const within = (x: number, target: number) => (x < target ? "yes" : "NO");
  console.log("\njamie: no-LLM answers through POST /api/chat (API key, Accept: application/json), sandbox with shop/cart crash-looping");
  console.log(`${"question".padEnd(28)}${"n".padStart(5)}${"p50 ms".padStart(9)}${"p95 ms".padStart(9)}${"max ms".padStart(9)}`);
  for (const [q, xs] of answers) console.log(`${q.padEnd(28)}${String(xs.length).padStart(5)}${ms(percentile(xs, 50)).padStart(9)}${ms(percentile(xs, 95)).padStart(9)}${ms(Math.max(...xs)).padStart(9)}`);
  const p95 = percentile(all, 95);
  console.log(`${"all".padEnd(28)}${String(all.length).padStart(5)}${ms(percentile(all, 50)).padStart(9)}${ms(p95).padStart(9)}${ms(Math.max(...all)).padStart(9)}   target p95 < ${TARGET_ANSWER_P95_MS} ms: ${within(p95, TARGET_ANSWER_P95_MS)}`);

  const col = (k: "firstByte" | "firstToken" | "done") => streams.map((s) => s[k]);
  console.log(`\njamie: streamed answers (Accept: text/event-stream), ${streams.length} requests over the same questions`);
  console.log(`${"from the request to".padEnd(40)}${"p50 ms".padStart(9)}${"p95 ms".padStart(9)}${"max ms".padStart(9)}`);
  for (const [label, k, target] of [
    ["first byte (the conversation event)", "firstByte", TARGET_FIRST_BYTE_MS],
    ["first token event", "firstToken", undefined],
    ["done event (end of the stream)", "done", undefined],
  ] as const) {
    const xs = col(k);
    const p = percentile(xs, 95);
    console.log(`${label.padEnd(40)}${ms(percentile(xs, 50)).padStart(9)}${ms(p).padStart(9)}${ms(Math.max(...xs)).padStart(9)}${target ? `   target < ${target} ms: ${within(p, target)}` : ""}`);
  }
  console.log(
    "Sequential requests from this process to its own server; the sandbox, the MCP servers (in process, over loopback HTTP)\n" +
      "and the client share its event loop. One warm-up pass first; every answer also stores its conversation, an audit event\n" +
      `and a memory. With ${ROUNDS} of each question, a question's p95 is at or near its max; read the overall p95.\n` +
      "Without a model the answer is computed whole and then streamed in words, so the first token comes when the answer is ready.\n" +
      `The chat limiter is lifted for the bench (see startChatServer). Load average at the end: ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores.`,
  );

  console.log(`\njamie: memory recall on the embedded backend (target p95 < 50 ms at 100k memories), measured by benchJamieMemory:`);
  await benchJamieMemory();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await benchJamie();
}
