// Jamie on Slack, end to end: the real Bolt app inside bootJamie (HTTP receiver on Jamie's port)
// against a local Slack Web API stand-in, the real Scarlet process and the sandbox. Requests come
// in signed as Slack signs them; what Jamie posts is read back from the stand-in.
import { readFile } from "node:fs/promises";
import { createLogger, loadConfig } from "@autodevops/shared";
import { eventually } from "@autodevops/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { bootJamie, type RunningJamie } from "../../apps/jamie/src/server/boot.js";
import { SLACK_ENDPOINTS } from "../../apps/jamie/src/slack/index.js";
import { slackSender, type SlackSender } from "../../apps/jamie/src/slack/testing/slack-requests.js";
import { startSlackStandIn, type SlackStandIn, type StandInMessage } from "../../apps/jamie/src/slack/testing/slack-stand-in.js";
import { resetEstate, startRig, type ScarletRig } from "../scarlet/scarlet-fixture.js";

const SIGNING_SECRET = "e2e-signing-secret-0123456789abcdef";
const PASSWORD = "e2e-slack-password";
const OPS = "CSHOPOPS"; // prod/shop routes here
const APPROVER = "UAPPROVER1"; // mapped to the portal's demo user "approver"
const VIEWER = "UVIEWER1"; // mapped to "viewer": may talk to Jamie, not decide
const STRANGER = "USTRANGER1"; // not mapped at all

let rig: ScarletRig;
let slack: SlackStandIn;
let jamie: RunningJamie;
let send: SlackSender;
let tsSeq = 0;
const newTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsSeq).padStart(6, "0")}`;

/** All the text a person would read in a message: its fallback and every text in its blocks. */
const textOf = (m: { text: string; blocks: unknown[] }) => `${m.text}\n${JSON.stringify(m.blocks)}`;
const buttonsOf = (m: StandInMessage) =>
  (m.blocks as { type: string; elements?: { type: string; action_id?: string; value?: string }[] }[]).filter((b) => b.type === "actions").flatMap((b) => b.elements ?? []).filter((e) => e.type === "button");
const answerIn = (channel: string, threadTs: string | undefined, re: RegExp) =>
  eventually(() => slack.messages.find((m) => m.channel === channel && m.threadTs === threadTs && !m.text.startsWith("Having a look") && re.test(textOf(m))), `an answer in ${channel}/${threadTs ?? "-"} matching ${re}`, 45_000, 200);
const click = (user: string, m: StandInMessage, actionId: string, value: string) =>
  send.interaction({
    type: "block_actions",
    user: { id: user, username: user, team_id: slack.teamId },
    trigger_id: slack.triggerId(),
    channel: { id: m.channel, name: "shop-ops" },
    container: { type: "message", message_ts: m.ts, channel_id: m.channel },
    message: { ts: m.ts, text: m.text, blocks: m.blocks },
    response_url: slack.responseUrl(`click-${m.ts}`),
    actions: [{ type: "button", action_id: actionId, block_id: `approval:${value}`, value, action_ts: newTs() }],
  });

beforeAll(async () => {
  rig = await startRig();
  await rig.start();
  slack = await startSlackStandIn();
  const config = loadConfig({
    SANDBOX_URL: rig.sandbox.controlUrl,
    SCARLET_URL: rig.url,
    DATABASE_URL: rig.db.url,
    JAMIE_DEMO_PASSWORD: PASSWORD,
    LOG_LEVEL: "warn",
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
  });
  jamie = await bootJamie({
    config,
    databaseUrl: rig.db.url,
    approverToken: rig.approverToken,
    apiKey: undefined,
    sessionSecret: "s".repeat(40),
    host: "127.0.0.1",
    port: 0,
    log: createLogger({ service: "jamie-slack-e2e", level: "warn" }),
    pages: false,
    env: { HOME: process.env.HOME, SLACK_CHANNELS: `prod/shop=${OPS},*=CALLOPS`, SLACK_APPROVERS: `${APPROVER}=approver,${VIEWER}=viewer`, SLACK_API_URL: slack.apiUrl },
  });
  send = slackSender({ baseUrl: jamie.url, signingSecret: SIGNING_SECRET, teamId: slack.teamId });
}, 180_000);

afterAll(async () => {
  await jamie?.close();
  await slack?.close();
  await rig?.close();
});

describe("Jamie on Slack (Bolt app, Slack stand-in, Scarlet, sandbox)", () => {
  it("answers a mention in its thread from live sandbox data, shows progress first, and keeps the thread's context", async () => {
    const ts = newTs();
    const { res } = await send.event({ type: "app_mention", user: VIEWER, text: "<@UJAMIEBOT> status of checkout", ts, channel: OPS });
    expect(res.status).toBe(200);
    const answer = await answerIn(OPS, ts, /checkout/);
    // The placeholder came first and was replaced in place by the answer.
    expect(answer.history[0]?.text).toMatch(/Having a look/);
    expect(answer.history.length).toBeGreaterThan(1);
    // From the sandbox: the deployment's ready count and its source.
    expect(textOf(answer)).toMatch(/2\/2|ready/);
    expect(textOf(answer)).toContain("resource: `Deployment shop/checkout`");
    expect((answer.blocks as { type: string }[]).every((b) => ["section", "context", "header"].includes(b.type))).toBe(true);

    // A follow-up in the thread names no workload: the thread's earlier question supplies it.
    const before = slack.messages.length;
    await send.event({ type: "app_mention", user: VIEWER, text: "<@UJAMIEBOT> and its pods?", ts: newTs(), thread_ts: ts, channel: OPS });
    const followUp = await eventually(() => slack.messages.slice(before).find((m) => m.threadTs === ts && !m.text.startsWith("Having a look")), "the follow-up's answer", 45_000, 200);
    expect(textOf(followUp)).toMatch(/checkout/);
  }, 120_000);

  it("answers a DM and the /jamie command (status, incidents, help)", async () => {
    const dmTs = newTs();
    await send.event({ type: "message", channel_type: "im", channel: "DVIEWER1", user: VIEWER, text: "status of cart", ts: dmTs });

    const dm = await answerIn("DVIEWER1", undefined, /cart/);
    expect(textOf(dm)).toContain("resource: `Deployment shop/cart`");

    const help = await send.command({ command: "/jamie", text: "help", user_id: VIEWER, channel_id: OPS, response_url: slack.responseUrl("help"), trigger_id: slack.triggerId() });
    expect(help.status).toBe(200);
    expect(await help.text()).toContain("/jamie status shop");

    const status = await send.command({ command: "/jamie", text: "status shop", user_id: VIEWER, channel_id: OPS, response_url: slack.responseUrl("status"), trigger_id: slack.triggerId() });
    expect(status.status).toBe(200);
    const reply = await eventually(() => slack.responses.find((r) => r.id === "status"), "the /jamie status reply", 45_000, 200);
    expect(reply.body.response_type).toBe("in_channel");
    // The baseline estate: seven workloads in prod/shop (CONTRACTS §1).
    expect(JSON.stringify(reply.body.blocks)).toMatch(/prod\/shop: 7 workloads/);

    await send.command({ command: "/jamie", text: "incidents", user_id: VIEWER, channel_id: OPS, response_url: slack.responseUrl("incidents"), trigger_id: slack.triggerId() });
    const incidents = await eventually(() => slack.responses.find((r) => r.id === "incidents"), "the /jamie incidents reply", 45_000, 200);
    expect(JSON.stringify(incidents.body)).toMatch(/incident/i);
  }, 120_000);

  it("refuses a replayed (over 5 minutes old) or badly signed request, audits it, and answers nothing", async () => {
    const posted = slack.calls.filter((c) => c.method === "chat.postMessage").length;
    const old = await send.event({ type: "app_mention", user: VIEWER, text: "<@UJAMIEBOT> status of cart", ts: newTs(), channel: OPS }, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(old.res.status).toBe(401);
    const forged = await send.event({ type: "app_mention", user: VIEWER, text: "<@UJAMIEBOT> status of cart", ts: newTs(), channel: OPS }, { secret: "not-the-signing-secret-at-all-000" });
    expect(forged.res.status).toBe(401);
    const forgedClick = await send.interaction({ type: "block_actions", user: { id: APPROVER }, actions: [{ action_id: "jamie_approval_approve", value: "apr-x" }] }, { secret: "not-the-signing-secret-at-all-000" });
    expect(forgedClick.status).toBe(401);
    await new Promise((r) => setTimeout(r, 1500));
    expect(slack.calls.filter((c) => c.method === "chat.postMessage").length).toBe(posted);
    const audited = await rig.query<{ actor: string; data: { path: string; status: number } }>("SELECT actor, data FROM audit_events WHERE type = 'input.rejected' AND actor = 'slack'");
    expect(audited.filter((a) => a.data.status === 401).map((a) => a.data.path).sort()).toEqual(["/api/slack/events", "/api/slack/events", "/api/slack/interactivity"]);
  }, 30_000);

  it("answers an event once when Slack retries it (X-Slack-Retry-Num, same event id)", async () => {
    const ts = newTs();
    const event = { type: "app_mention", user: VIEWER, text: "<@UJAMIEBOT> status of payments", ts, channel: OPS };
    const first = await send.event(event);
    const retry = await send.event(event, { eventId: first.eventId, retryNum: 1 });
    expect(retry.res.status).toBe(200);
    await answerIn(OPS, ts, /payments/);
    await new Promise((r) => setTimeout(r, 2000));
    expect(slack.messages.filter((m) => m.threadTs === ts)).toHaveLength(1);
  }, 60_000);

  it("takes an approval from Slack end to end: fault, Scarlet waits, prompt, refusals, approver's click, action, fault cured, resolved notice", async () => {
    const since = new Date();
    const faultId = await rig.inject({ kind: "image-pull", target: "catalog" });

    // Scarlet asks; the prompt appears in the shop's channel with what an approver needs.
    const prompt = await eventually(() => slack.messages.find((m) => m.channel === OPS && buttonsOf(m).length === 2 && textOf(m).includes("catalog")), "the approval prompt in Slack", 90_000, 250);
    const approvalId = buttonsOf(prompt)[0]?.value ?? "";
    expect(approvalId).toMatch(/^apr-/);
    expect(textOf(prompt)).toMatch(/rollback/);
    expect(textOf(prompt)).toMatch(/Risk/);
    expect(textOf(prompt)).toMatch(/Dry run/);
    const incident = await rig.incidentFor("catalog", since, 30_000, (i) => i.status === "awaiting_approval");
    const notice = await eventually(() => slack.messages.find((m) => m.channel === OPS && textOf(m).includes(incident.id) && buttonsOf(m).length === 0 && /awaiting approval/.test(m.text)), "the incident notice awaiting approval", 30_000, 250);

    // Someone who is not an approver: refused privately, audited, nothing decided.
    expect((await click(STRANGER, prompt, "jamie_approval_approve", approvalId)).status).toBe(200);
    expect((await click(VIEWER, prompt, "jamie_approval_approve", approvalId)).status).toBe(200);
    await eventually(() => slack.ephemerals.filter((e) => [STRANGER, VIEWER].includes(e.user) && /only the configured approvers/.test(e.text)).length === 2, "two ephemeral refusals", 15_000, 100);
    const refusals = await rig.query<{ actor: string }>("SELECT actor FROM audit_events WHERE type = 'input.rejected' AND data->>'approvalId' = $1", [approvalId]);
    expect(refusals.map((r) => r.actor).sort()).toEqual([`slack:${STRANGER}`, `slack:${VIEWER}`]);
    expect((await rig.get<{ approvals: { id: string; status: string }[] }>("/api/approvals")).approvals.find((a) => a.id === approvalId)?.status).toBe("pending");

    // The approver's click: Scarlet resumes, rolls back, the fault is cured.
    expect((await click(APPROVER, prompt, "jamie_approval_approve", approvalId)).status).toBe(200);
    await eventually(() => /Approved/.test(textOf(prompt)) && buttonsOf(prompt).length === 0, "the prompt showing Approved, without buttons", 15_000, 100);
    expect(textOf(prompt)).toContain("approver (Slack UAPPROVER1)");
    await eventually(async () => (await rig.fault(faultId)).cured, "the image-pull fault cured", 90_000, 1000);
    const mutations = await rig.mutations(since);
    expect(mutations.filter((m) => m.action === "rollback" && m.name === "catalog").map((m) => m.user)).toEqual(["system:serviceaccount:autodevops:scarlet"]);

    // The same notice, updated in place to resolved (never a second message for the incident).
    await eventually(() => /resolved/.test(notice.text), "the incident notice resolved", 120_000, 500);
    expect(slack.messages.filter((m) => textOf(m).includes(incident.id) && buttonsOf(m).length === 0 && m.blocks.length > 0 && /Open in the portal/.test(textOf(m)))).toHaveLength(1);

    // A second click on a decided request changes nothing.
    const versions = prompt.history.length;
    await click(APPROVER, prompt, "jamie_approval_approve", approvalId);
    await eventually(() => slack.ephemerals.some((e) => e.user === APPROVER && /already decided/.test(e.text)), "the already-decided note", 15_000, 100);
    expect(prompt.history.length).toBe(versions);
    expect(mutations.filter((m) => m.action === "rollback").length).toBe((await rig.mutations(since)).filter((m) => m.action === "rollback").length);
  }, 300_000);

  it("shows a decision made in the portal on the Slack prompt; a later Reject in Slack asks for a reason and changes nothing", async () => {
    await resetEstate(rig);
    const seen = slack.messages.length;
    await rig.inject({ kind: "image-pull", target: "cart" });
    const prompt = await eventually(() => slack.messages.slice(seen).find((m) => m.channel === OPS && buttonsOf(m).length === 2 && textOf(m).includes("cart")), "the second approval prompt", 90_000, 250);
    const approvalId = buttonsOf(prompt)[0]?.value ?? "";

    // Reject in Slack opens a modal asking why.
    await click(APPROVER, prompt, "jamie_approval_reject", approvalId);
    const modal = await eventually(() => slack.views.find((v) => JSON.stringify(v.view).includes(approvalId)), "the reject modal", 15_000, 100);
    expect(modal.view.callback_id).toBe("jamie_approval_reject_reason");

    // Meanwhile an approver rejects in the portal: the Slack prompt follows.
    const login = await fetch(`${jamie.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "approver", password: PASSWORD }) });
    const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const { csrf } = (await login.json()) as { csrf: string };
    const decided = await fetch(`${jamie.url}/api/approvals/${approvalId}`, { method: "POST", headers: { cookie, "x-csrf-token": csrf, "content-type": "application/json" }, body: JSON.stringify({ decision: "reject", reason: "cart is being migrated" }) });
    expect(decided.status).toBe(200);
    await eventually(() => /Rejected/.test(textOf(prompt)) && /cart is being migrated/.test(textOf(prompt)) && buttonsOf(prompt).length === 0, "the prompt showing the portal's rejection", 15_000, 100);

    // The modal submitted after that: Scarlet says 409, the person is told, the prompt stays as it is.
    const versions = prompt.history.length;
    const submit = await send.interaction({
      type: "view_submission",
      user: { id: APPROVER },
      trigger_id: slack.triggerId(),
      view: { id: "V1", callback_id: "jamie_approval_reject_reason", private_metadata: modal.view.private_metadata, state: { values: { reason: { reason_input: { type: "plain_text_input", value: "too late, but no" } } } } },
    });
    expect(submit.status).toBe(200);
    await eventually(() => slack.ephemerals.some((e) => e.user === APPROVER && /already decided/.test(e.text) && e.channel === OPS), "the already-decided note after the modal", 15_000, 100);
    expect(prompt.history.length).toBe(versions);
  }, 240_000);
  // Last, once every path above has run: the Web API methods Jamie called, against the manifest.
  it("asks Slack in deploy/slack/manifest.yaml for exactly the scopes, events, command and URLs it uses", async () => {
    const manifest = parse(await readFile(new URL("../../deploy/slack/manifest.yaml", import.meta.url), "utf8")) as {
      oauth_config: { scopes: { bot: string[] } };
      features: { slash_commands: { command: string; url: string }[] };
      settings: { event_subscriptions: { request_url: string; bot_events: string[] }; interactivity: { request_url: string } };
    };
    // What each method or event needs (auth.test and views.open need none).
    const SCOPE_OF: Record<string, string | null> = { "auth.test": null, "views.open": null, "chat.postMessage": "chat:write", "chat.update": "chat:write", "chat.postEphemeral": "chat:write", app_mention: "app_mentions:read", "message.im": "im:history", "/jamie": "commands" };
    const used = [...new Set(slack.calls.map((c) => c.method)), "app_mention", "message.im", "/jamie"];
    for (const u of used) expect(Object.keys(SCOPE_OF), `a scope for ${u}`).toContain(u);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...new Set(used.map((u) => SCOPE_OF[u]).filter((x): x is string => Boolean(x)))].sort());
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(["app_mention", "message.im"]);
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(["/jamie"]);
    const path = (u: string) => new URL(u).pathname;
    expect(path(manifest.settings.event_subscriptions.request_url)).toBe(SLACK_ENDPOINTS.events);
    expect(path(manifest.settings.interactivity.request_url)).toBe(SLACK_ENDPOINTS.interactivity);
    expect(manifest.features.slash_commands.map((c) => path(c.url))).toEqual([SLACK_ENDPOINTS.commands]);
  });
});
