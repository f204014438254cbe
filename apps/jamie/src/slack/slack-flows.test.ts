// Notices and approval prompts through startSlack as bootJamie wires it: the real Bolt app and
// HTTP receiver, Postgres (kept messages), the Postgres event bus, a Scarlet stand-in and the
// Slack stand-in. Restarts are a second startSlack on the same database.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createEventBus, createLogger, loadConfig, PgAuditStore, runMigrations, type EventBus } from "@autodevops/shared";
import { createTestDatabase, eventually, type TestDatabase } from "@autodevops/shared/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserDirectory } from "../auth/users.js";
import { migrateJamie } from "../memory/index.js";
import { ConversationStore } from "../portal/conversations.js";
import { createScarletClient } from "../scarlet/scarlet-client.js";
import { sampleApproval, sampleIncident, startScarletStandIn, type ScarletStandIn } from "../scarlet/testing/scarlet-stand-in.js";
import { startSlack, type RunningSlack } from "./index.js";
import { slackSender } from "./testing/slack-requests.js";
import { startSlackStandIn, type SlackStandIn, type StandInMessage } from "./testing/slack-stand-in.js";

const SECRET = "flows-signing-secret-0123456789";
const log = createLogger({ service: "slack-flows-test", level: "silent" });
let db: TestDatabase;
let pool: pg.Pool;
let audit: PgAuditStore;
let bus: EventBus;
let scarlet: ScarletStandIn;
let slack: SlackStandIn;
let users: UserDirectory;

/** Jamie's Slack side on a port of its own; `close` stops it like a Jamie shutting down. */
async function startJamieSlack(o: { sweepMs?: number; apiUrl?: string } = {}): Promise<{ running: RunningSlack; url: string; close(): Promise<void> }> {
  const config = loadConfig({ SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: SECRET, JAMIE_URL: "http://jamie.test" });
  const running = await startSlack({
    config,
    env: { SLACK_CHANNELS: "prod/shop=COPS1,*=CALL1", SLACK_APPROVERS: "UAPPR1=approver", SLACK_API_URL: o.apiUrl ?? slack.apiUrl },
    scarlet: createScarletClient({ baseUrl: scarlet.url, log }),
    approverToken: scarlet.approverToken,
    // Conversations are not under test here; an assistant that must not be reached.
    assistant: { answer: () => Promise.reject(new Error("no questions in this test")) },
    conversations: new ConversationStore(pool),
    users,
    bus,
    audit,
    pool,
    log,
    ...(o.sweepMs ? { sweepMs: o.sweepMs } : {}),
  });
  if (!running) throw new Error("Slack did not start");
  const server: Server = createServer((req, res) => {
    const route = running.routes.find((r) => r.path.test(new URL(req.url ?? "/", "http://x").pathname));
    if (!route) return void res.writeHead(404).end();
    void route.handler({ req, res, url: new URL(req.url ?? "/", "http://x"), params: [], principal: { kind: "api-key", user: { name: "anonymous", role: "viewer" } } });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    running,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await running.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const posts = (pred: (args: Record<string, unknown>) => boolean) => slack.calls.filter((c) => c.method === "chat.postMessage" && pred(c.args));
const has = (m: StandInMessage | undefined, s: string) => JSON.stringify(m?.blocks ?? []).includes(s);
const hasButtons = (m: StandInMessage | undefined) => (m?.blocks as { type: string }[] | undefined)?.some((b) => b.type === "actions") ?? false;

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations({ databaseUrl: db.url, log });
  await migrateJamie(db.url, log);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  // The forced DROP of the test database cuts idle connections: not an uncaught error.
  pool.on("error", () => undefined);
  audit = new PgAuditStore(db.url, log);
  bus = createEventBus({ databaseUrl: db.url, service: "jamie", log });
  await bus.connect();
  scarlet = await startScarletStandIn();
  slack = await startSlackStandIn();
  users = await UserDirectory.fromConfig({ users: undefined, demoPassword: "flows-demo-password", sessionSecret: undefined }, "test");
}, 60_000);

afterAll(async () => {
  await bus?.close();
  await audit?.close();
  await pool?.end();
  await scarlet?.close();
  await slack?.close();
  await db?.drop();
});

describe("Slack notices and approval prompts", () => {
  it("starts even when Slack cannot be reached, so the portal is not held hostage by it", async () => {
    const j = await startJamieSlack({ apiUrl: "http://127.0.0.1:9/api/" });
    expect(j.running.mode).toBe("http");
    await j.close();
  });

  it("keeps one notice per incident, updated in place as it moves, also after a restart", async () => {
    scarlet.incidents.push(sampleIncident({ id: "inc-notice", status: "open", updatedAt: "2026-03-01T10:00:00.000Z", actions: [], decision: null }));
    const first = await startJamieSlack();
    await bus.publish("incident.updated", { incidentId: "inc-notice", status: "open" });
    const notice = await eventually(() => slack.messages.find((m) => has(m, "inc-notice")), "the notice", 10_000, 50);
    expect(notice.channel).toBe("COPS1");
    expect(notice.text).toMatch(/^open: cart is crash-looping/);
    await first.close();

    const second = await startJamieSlack();
    const inc = scarlet.incidents.find((i) => i.id === "inc-notice");
    if (!inc) throw new Error("the incident went missing");
    Object.assign(inc, { status: "resolved", updatedAt: "2026-03-01T10:05:00.000Z" });
    await bus.publish("incident.updated", { incidentId: "inc-notice", status: "resolved" });
    await eventually(() => notice.text.startsWith("resolved:"), "the notice resolved", 10_000, 50);
    expect(posts((a) => JSON.stringify(a.blocks).includes("inc-notice") && !a.thread_ts)).toHaveLength(1);

    // Scarlet's summary of the closed incident goes into the notice's thread.
    await bus.publish("incident.closed", { incidentId: "inc-notice", status: "resolved", summary: "cart crash-looped after a bad config; a rollout restart cured it." });
    const reply = await eventually(() => slack.messages.find((m) => m.threadTs === notice.ts), "the summary in the notice's thread", 10_000, 50);
    expect(reply.text).toContain("a rollout restart cured it");
    await second.close();
  });

  it("posts a prompt for an approval requested while Jamie was down, and after a restart updates it rather than posting again", async () => {
    scarlet.approvals.push(sampleApproval({ id: "appr-down" }));
    const first = await startJamieSlack();
    const prompt = await eventually(() => slack.messages.find((m) => has(m, "appr-down")), "the catch-up prompt", 10_000, 50);
    expect(hasButtons(prompt)).toBe(true);
    await first.close();

    const a = scarlet.approvals.find((x) => x.id === "appr-down");
    if (!a) throw new Error("the approval went missing");
    Object.assign(a, { status: "approved", decidedBy: "approver", decidedAt: new Date().toISOString(), reason: "approved by someone in the portal" });
    const second = await startJamieSlack();
    await eventually(() => !hasButtons(prompt) && has(prompt, "approved by someone in the portal"), "the prompt showing the decision", 10_000, 50);
    expect(posts((x) => JSON.stringify(x.blocks).includes("appr-down"))).toHaveLength(1);
    await second.close();
  });

  it("posts one prompt and one notice when two Jamie replicas hear the same events", async () => {
    scarlet.incidents.push(sampleIncident({ id: "inc-twice", status: "awaiting_approval", updatedAt: "2026-03-01T11:00:00.000Z" }));
    const [a, b] = await Promise.all([startJamieSlack(), startJamieSlack()]);
    scarlet.approvals.push(sampleApproval({ id: "appr-twice", incidentId: "inc-twice" }));
    await bus.publish("incident.updated", { incidentId: "inc-twice", status: "awaiting_approval" });
    await bus.publish("approval.requested", { approvalId: "appr-twice", incidentId: "inc-twice" });
    await eventually(() => slack.messages.find((m) => has(m, "appr-twice")) && slack.messages.find((m) => has(m, "inc-twice") && !hasButtons(m)), "the prompt and the notice", 10_000, 50);
    await new Promise((r) => setTimeout(r, 500));
    expect(posts((x) => JSON.stringify(x.blocks).includes('"value":"appr-twice"'))).toHaveLength(1);
    expect(posts((x) => JSON.stringify(x.blocks).includes("inc-twice") && !JSON.stringify(x.blocks).includes("appr-twice"))).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });

  it("takes the buttons off a request whose time runs out", async () => {
    scarlet.approvals.push(sampleApproval({ id: "appr-lapse", expiresAt: new Date(Date.now() + 1500).toISOString() }));
    const j = await startJamieSlack({ sweepMs: 200 });
    const prompt = await eventually(() => slack.messages.find((m) => has(m, "appr-lapse")), "the prompt", 10_000, 50);
    expect(hasButtons(prompt)).toBe(true);
    await eventually(() => !hasButtons(prompt) && has(prompt, "Expired"), "the prompt expired without buttons", 10_000, 50);
    await j.close();
  });

  it("asks for a reason before a rejection counts, sends a too-short one back, and passes the reason to Scarlet", async () => {
    scarlet.approvals.push(sampleApproval({ id: "appr-reject" }));
    const j = await startJamieSlack();
    const send = slackSender({ baseUrl: j.url, signingSecret: SECRET, teamId: slack.teamId });
    const prompt = await eventually(() => slack.messages.find((m) => has(m, "appr-reject")), "the prompt", 10_000, 50);
    const clicked = await send.interaction({ type: "block_actions", user: { id: "UAPPR1" }, trigger_id: slack.triggerId(), channel: { id: prompt.channel }, message: { ts: prompt.ts }, actions: [{ action_id: "jamie_approval_reject", value: "appr-reject" }] });
    expect(clicked.status).toBe(200);
    const modal = await eventually(() => slack.views.find((v) => String(v.view.private_metadata).includes("appr-reject")), "the reason modal", 10_000, 50);
    expect(scarlet.approvals.find((a) => a.id === "appr-reject")?.status).toBe("pending");

    const submit = (reason: string) =>
      send.interaction({ type: "view_submission", user: { id: "UAPPR1" }, trigger_id: slack.triggerId(), view: { id: "V9", callback_id: "jamie_approval_reject_reason", private_metadata: modal.view.private_metadata, state: { values: { reason: { reason_input: { type: "plain_text_input", value: reason } } } } } });
    const tooShort = await submit("no");
    expect(await tooShort.json()).toEqual({ response_action: "errors", errors: { reason: expect.stringContaining("Say why") } });
    expect(scarlet.approvals.find((a) => a.id === "appr-reject")?.status).toBe("pending");

    expect((await submit("checkout is mid-migration")).status).toBe(200);
    await eventually(() => has(prompt, "Rejected") && !hasButtons(prompt), "the prompt showing the rejection", 10_000, 50);
    const decided = scarlet.requests.find((r) => r.method === "POST" && r.path === "/api/approvals/appr-reject");
    expect(decided?.body).toEqual({ decision: "reject", reason: "checkout is mid-migration — rejected by approver (Slack UAPPR1) in Slack" });
    await j.close();
  });
});
