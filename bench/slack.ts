// Jamie on Slack, in process: the sandbox, Scarlet and Jamie (with Slack on, against the Slack
// Web API stand-in) on one fresh Postgres database. Per run an image-pull fault on another shop
// workload makes Scarlet ask for approval; measured are Scarlet's approval request -> the prompt
// reaching Slack (chat.postMessage received by the stand-in), and the approver's signed button
// click -> the action starting (Scarlet's action.executing audit event, and the first mutation the
// cluster received). Targets: < 1 s each on loopback. Numbers, not pass/fail: a miss is printed.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { createLogger, loadConfig, type Approval } from "@autodevops/shared";
import { createTestDatabase } from "@autodevops/shared/testing";
import { startSandbox, type RunningSandbox } from "@autodevops/sandbox";
import { bootScarlet, type BootedScarlet } from "@autodevops/scarlet";
import { bootJamie, type RunningJamie } from "../apps/jamie/src/server/boot.js";
import { slackSender } from "../apps/jamie/src/slack/testing/slack-requests.js";
import { startSlackStandIn, type SlackStandIn } from "../apps/jamie/src/slack/testing/slack-stand-in.js";

/** One workload per run: each run's fault is cured by the approved rollback before the next. */
const TARGETS = (process.env.BENCH_SLACK_TARGETS ?? "catalog,cart,frontend,checkout,payments").split(",");
const TARGET_MS = 1000;
const SIGNING_SECRET = randomBytes(24).toString("hex");
const log = createLogger({ service: "bench", level: "warn" });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, withinMs: number, everyMs = 20): Promise<T> {
  const end = Date.now() + withinMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

interface Run {
  target: string;
  promptMs?: number;
  executingMs?: number;
  mutationMs?: number;
  error?: string;
}

async function oneRun(target: string, o: { sandbox: RunningSandbox; scarlet: BootedScarlet; slack: SlackStandIn; jamie: RunningJamie; db: pg.Pool}): Promise<Run> {
  const run: Run = { target };
  const inject = await fetch(`${o.sandbox.controlUrl}/sandbox/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ kind: "image-pull", namespace: "shop", target }) });
  if (inject.status !== 201) return { ...run, error: `inject: ${inject.status}` };
  const faultId = ((await inject.json()) as { id: string }).id;
  try {
    const approval = await until<Approval>(`Scarlet's approval for ${target}`, async () => (await o.scarlet.api.listApprovals({ status: "pending" })).find((a) => a.action.target === target), 90_000, 50);
    const prompt = await until(`the Slack prompt for ${approval.id}`, () => o.slack.messages.find((m) => JSON.stringify(m.blocks).includes(`"value":"${approval.id}"`)), 30_000);
    run.promptMs = (prompt.history[0]?.at ?? NaN) - Date.parse(approval.requestedAt);

    const send = slackSender({ baseUrl: o.jamie.url, signingSecret: SIGNING_SECRET, teamId: o.slack.teamId });
    const clickedAt = Date.now();
    const res = await send.interaction({ type: "block_actions", user: { id: "UBENCH1" }, trigger_id: o.slack.triggerId(), channel: { id: prompt.channel }, message: { ts: prompt.ts }, actions: [{ action_id: "jamie_approval_approve", value: approval.id }] });
    if (res.status !== 200) return { ...run, error: `click answered ${res.status}` };
    const executing = await until(`action.executing for ${approval.incidentId}`, async () => (await o.db.query<{ at: Date }>("SELECT at FROM audit_events WHERE type = 'action.executing' AND incident_id = $1 ORDER BY seq LIMIT 1", [approval.incidentId])).rows[0], 30_000);
    run.executingMs = executing.at.getTime() - clickedAt;
    const since = new Date(clickedAt - 1000).toISOString();
    const mutation = await until(`the rollback of ${target}`, async () => {
      const r = (await (await fetch(`${o.sandbox.controlUrl}/sandbox/mutations?since=${encodeURIComponent(since)}`)).json()) as { mutations: { at: string; name?: string; action: string | null }[] };
      return r.mutations.find((m) => m.name === target && m.action !== null);
    }, 30_000);
    run.mutationMs = Date.parse(mutation.at) - clickedAt;
    await until(`the ${target} fault cured`, async () => {
      const r = (await (await fetch(`${o.sandbox.controlUrl}/sandbox/faults`)).json()) as { faults: { id: string; cured: boolean }[] };
      return r.faults.find((f) => f.id === faultId && f.cured);
    }, 120_000, 500);
  } catch (e) {
    run.error = (e as Error).message;
  }
  await fetch(`${o.sandbox.controlUrl}/sandbox/faults/${faultId}`, { method: "DELETE" }).catch(() => undefined);
  return run;
}

function row(title: string, xs: number[], runs: number) {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : "-").padStart(9);
  const p95 = percentile(xs, 95);
  console.log(`${title.padEnd(46)}${String(xs.length).padStart(3)}/${runs}${f(percentile(xs, 50))}${f(p95)}${f(xs.length ? Math.max(...xs) : NaN)}   target < ${TARGET_MS} ms: ${xs.length && Math.max(...xs) < TARGET_MS ? "yes" : "NO"}`);
}

export async function benchSlack(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "bench-slack-"));
  const sandbox = await startSandbox({ dataDir, host: "127.0.0.1", controlPort: 0, log });
  const db = await createTestDatabase("bench_slack");
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const slack = await startSlackStandIn();
  let scarlet: BootedScarlet | undefined;
  let jamie: RunningJamie | undefined;
  const runs: Run[] = [];
  try {
    const approverToken = randomBytes(18).toString("base64url");
    scarlet = await bootScarlet({ databaseUrl: db.url, sandboxUrl: sandbox.controlUrl, host: "127.0.0.1", port: 0, approvers: [{ token: approverToken, user: "approver" }], alertsToken: randomBytes(18).toString("base64url"), log, env: {} });
    const config = loadConfig({ SANDBOX_URL: sandbox.controlUrl, SCARLET_URL: scarlet.url, DATABASE_URL: db.url, JAMIE_DEMO_PASSWORD: "bench-slack-password", LOG_LEVEL: "warn", SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET });
    jamie = await bootJamie({ config, databaseUrl: db.url, approverToken, apiKey: undefined, sessionSecret: randomBytes(32).toString("hex"), host: "127.0.0.1", port: 0, log, pages: false, env: { HOME: process.env.HOME, SLACK_CHANNELS: "*=CBENCH1", SLACK_APPROVERS: "UBENCH1=approver", SLACK_API_URL: slack.apiUrl } });
    // The estate settles after start (pods become ready); a fault injected before would be judged on a moving baseline.
    await sleep(5000);
    for (const target of TARGETS) {
      const r = await oneRun(target, { sandbox, scarlet, slack, jamie, db: pool });
      runs.push(r);
      console.log(`slack: ${target}: prompt ${r.promptMs ?? "-"} ms, click -> executing ${r.executingMs ?? "-"} ms, click -> first mutation ${r.mutationMs ?? "-"} ms${r.error ? ` (${r.error})` : ""}`);
    }
  } finally {
    await jamie?.close().catch((e: unknown) => console.log(`jamie close failed: ${(e as Error).message}`));
    await scarlet?.close().catch((e: unknown) => console.log(`scarlet close failed: ${(e as Error).message}`));
    await slack.close();
    await pool.end();
    await sandbox.stop();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
  const col = (k: "promptMs" | "executingMs" | "mutationMs") => runs.map((r) => r[k]).filter((x): x is number => x !== undefined);
  console.log(`\nslack: approvals through Slack, in process (sandbox, Scarlet, Jamie, Slack stand-in over loopback), image-pull on ${TARGETS.join(", ")}`);
  console.log(`${"measure".padEnd(46)}${"runs".padStart(5)}${"p50 ms".padStart(9)}${"p95 ms".padStart(9)}${"max ms".padStart(9)}`);
  row("approval requested -> Slack prompt posted", col("promptMs"), runs.length);
  row("button click -> action executing (audit)", col("executingMs"), runs.length);
  row("button click -> first cluster mutation", col("mutationMs"), runs.length);
  console.log("The request time is Scarlet's (its node stamps it, then runs the dry run and stores and announces the request);\n" + "the prompt time is when the stand-in received chat.postMessage; clicks are signed block_actions POSTs to Jamie's port.");
  console.log(`Failed runs: ${runs.filter((r) => r.error).length}. Load average at the end: ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores.`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await benchSlack();
