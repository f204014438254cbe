import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startSandbox, type RunningSandbox } from "@autodevops/sandbox";
import { createLogger, loadConfig, PgAuditStore } from "@autodevops/shared";
import { createTestDatabase, eventually, type TestDatabase } from "@autodevops/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleApproval, sampleIncident, startScarletStandIn, type ScarletStandIn } from "../scarlet/testing/scarlet-stand-in.js";
import { findTool } from "../agent/read-tools.js";
import { writeReportHistory, type ReportHistory } from "../portal/operations-report.fixture.js";
import { OperationsReport } from "../portal/operations-report-schema.js";
import { bootJamie, type RunningJamie } from "./boot.js";

const API_KEY = "k".repeat(32);
const PASSWORD = "demo-password-1";
let sandbox: RunningSandbox;
let db: TestDatabase;
let scarlet: ScarletStandIn;
let jamie: RunningJamie;
const log = createLogger({ service: "jamie-test", level: "silent" });

/** A signed-in person: their cookies and CSRF token, and fetch helpers that send them. */
async function signIn(name: string) {
  const r = await fetch(`${jamie.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: name, password: PASSWORD }) });
  expect(r.status).toBe(200);
  const cookie = r.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const { csrf } = (await r.json()) as { csrf: string };
  const get = (p: string) => fetch(`${jamie.url}${p}`, { headers: { cookie } });
  const post = (p: string, body: unknown, extra: Record<string, string> = {}) => fetch(`${jamie.url}${p}`, { method: "POST", headers: { cookie, "content-type": "application/json", "x-csrf-token": csrf, ...extra }, body: JSON.stringify(body) });
  return { cookie, csrf, get, post };
}
const withKey = (p: string, body: unknown, accept = "application/json") => fetch(`${jamie.url}${p}`, { method: "POST", headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json", accept }, body: JSON.stringify(body) });

beforeAll(async () => {
  sandbox = await startSandbox({ dataDir: await mkdtemp(path.join(tmpdir(), "jamie-portal-")), host: "127.0.0.1", controlPort: 0, log });
  db = await createTestDatabase();
  scarlet = await startScarletStandIn({ incidents: [sampleIncident()], approvals: [sampleApproval()] });
  const config = loadConfig({ SANDBOX_URL: sandbox.controlUrl, SCARLET_URL: scarlet.url, JAMIE_DEMO_PASSWORD: PASSWORD, DATABASE_URL: db.url, LOG_LEVEL: "silent" });
  jamie = await bootJamie({ config, databaseUrl: db.url, approverToken: scarlet.approverToken, apiKey: API_KEY, sessionSecret: "s".repeat(40), host: "127.0.0.1", port: 0, log, pages: false, env: { HOME: process.env.HOME } });
}, 120_000);

afterAll(async () => {
  await jamie?.close();
  await scarlet?.close();
  await sandbox?.stop();
  await db?.drop();
});

describe("Jamie's API", () => {
  it("answers POST /api/chat as one JSON answer with citations, from the live sandbox (CONTRACTS §6)", async () => {
    const inject = await fetch(`${sandbox.controlUrl}/sandbox/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ kind: "crashloop", namespace: "shop", target: "cart" }) });
    expect(inject.status).toBe(201);
    await new Promise((r) => setTimeout(r, 4000));
    const r = await withKey("/api/chat", { message: "what's wrong in shop?" });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { conversationId: string; answer: string; citations: { kind: string; ref: string }[] };
    expect(body.conversationId).toMatch(/^c-/);
    expect(body.answer).toMatch(/cart/);
    expect(body.citations.some((c) => c.kind === "resource" && c.ref.includes("cart"))).toBe(true);
  }, 60_000);

  it("streams the same answer as server-sent events: the conversation, tool calls, tokens, then done", async () => {
    const r = await withKey("/api/chat", { message: "status of checkout" }, "text/event-stream");
    expect(r.headers.get("content-type")).toMatch(/text\/event-stream/);
    const text = await r.text();
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events[0]).toBe("conversation");
    expect(events).toContain("tool");
    expect(events).toContain("token");
    expect(events.at(-1)).toBe("done");
    const done = JSON.parse(/event: done\ndata: (.*)/.exec(text)?.[1] ?? "{}") as { answer: string };
    expect(done.answer).toMatch(/checkout/);
  }, 60_000);

  it("keeps conversations per person and records feedback on their own answers only", async () => {
    const alice = await signIn("approver");
    const bob = await signIn("viewer");
    const asked = (await (await alice.post("/api/chat", { message: "pending approvals" })).json()) as { conversationId: string; messageId: string };
    const mine = (await (await alice.get("/api/conversations")).json()) as { conversations: { id: string }[] };
    expect(mine.conversations.map((c) => c.id)).toContain(asked.conversationId);
    expect((await bob.get(`/api/conversations/${asked.conversationId}`)).status).toBe(404);
    expect((await bob.post("/api/chat", { message: "and now?", conversationId: asked.conversationId })).status).toBe(404);
    expect((await bob.post("/api/feedback", { messageId: asked.messageId, rating: "up" })).status).toBe(404);
    expect((await alice.post("/api/feedback", { messageId: asked.messageId, rating: "down", note: "too vague" })).status).toBe(200);
    const thread = (await (await alice.get(`/api/conversations/${asked.conversationId}`)).json()) as { messages: { role: string; feedback: string | null }[] };
    expect(thread.messages.map((m) => [m.role, m.feedback])).toEqual([["user", null], ["assistant", "down"]]);
  }, 60_000);

  it("lets an approver decide through Scarlet and refuses a viewer, auditing the refusal", async () => {
    const viewer = await signIn("viewer");
    const approver = await signIn("approver");
    const id = scarlet.approvals[0]?.id ?? "";
    const refused = await viewer.post(`/api/approvals/${id}`, { decision: "approve" });
    expect(refused.status).toBe(403);
    expect(scarlet.requests.filter((r) => r.method === "POST" && r.path.startsWith("/api/approvals/"))).toHaveLength(0);
    const audit = new PgAuditStore(db.url, log);
    const rejected = await audit.query({ type: "input.rejected", order: "desc", limit: 10 });
    expect(rejected.ok && rejected.value.some((e) => e.actor === "jamie" && JSON.stringify(e.data).includes("viewer"))).toBe(true);
    await audit.close();
    const ok = await approver.post(`/api/approvals/${id}`, { decision: "approve", reason: "looks right" });
    expect(ok.status).toBe(200);
    const sent = scarlet.requests.find((r) => r.method === "POST" && r.path === `/api/approvals/${id}`);
    expect(sent?.headers.authorization).toBe(`Bearer ${scarlet.approverToken}`);
    expect(JSON.stringify(sent?.body)).toContain("approved by approver in the portal");
    expect((await approver.post(`/api/approvals/${id}`, { decision: "reject" })).status).toBe(409);
  });

  it("refuses what it must: no credentials, a forged session, a write without the CSRF token, bad bodies", async () => {
    expect((await fetch(`${jamie.url}/api/incidents`)).status).toBe(401);
    expect((await fetch(`${jamie.url}/api/incidents`, { headers: { cookie: "jamie_session=eyJhbGciOiJIUzI1NiJ9.e30.x" } })).status).toBe(401);
    expect((await fetch(`${jamie.url}/api/incidents`, { headers: { authorization: "Bearer not-the-key-at-all-really" } })).status).toBe(401);
    const a = await signIn("approver");
    const noCsrf = await fetch(`${jamie.url}/api/chat`, { method: "POST", headers: { cookie: a.cookie, "content-type": "application/json" }, body: JSON.stringify({ message: "hi" }) });
    expect(noCsrf.status).toBe(403);
    expect((await a.post("/api/chat", { message: "" })).status).toBe(400);
    expect((await a.post("/api/chat", { message: "hi", extra: true })).status).toBe(400);
    expect((await a.post("/api/chat", { message: "x".repeat(40_000) })).status).toBe(413);
    const wrongType = await fetch(`${jamie.url}/api/chat`, { method: "POST", headers: { cookie: a.cookie, "x-csrf-token": a.csrf, "content-type": "text/plain" }, body: "hi" });
    expect(wrongType.status).toBe(415);
    expect((await a.post("/api/approvals/x", { decision: "maybe" })).status).toBe(400);
    expect((await fetch(`${jamie.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "admin", password: "nope" }) })).status).toBe(401);
  });

  it("serves the estate with health and the service map, and the audit log with its chain verified", async () => {
    const a = await signIn("admin");
    const estate = (await (await a.get("/api/estate")).json()) as { clusters: { name: string; namespaces: { name: string; workloads: { name: string; health: string }[] }[] }[]; calls: { from: string; to: string }[] };
    expect(estate.clusters.map((c) => c.name).sort()).toEqual(["prod", "staging"]);
    const shop = estate.clusters.find((c) => c.name === "prod")?.namespaces.find((n) => n.name === "shop");
    expect(shop?.workloads.map((w) => w.name)).toContain("cart");
    expect(estate.calls).toContainEqual({ from: "shop/cart", to: "shop/redis-cart" });
    const audit = (await (await a.get("/api/audit?q=chat&limit=50")).json()) as { events: { type: string }[]; chain: { valid: boolean; checked: number } };
    expect(audit.chain.valid).toBe(true);
    expect(audit.chain.checked).toBeGreaterThan(0);
    expect(audit.events.some((e) => e.type === "chat.answered")).toBe(true);
    expect((await a.get("/api/audit?limit=100000")).status).toBe(400);
  }, 30_000);
});

describe("Jamie's log view API", () => {
  const MARK = "jamie-logs-test";
  const SECRET = "s3cr3t-value-0123456789";
  const logs = (q: Record<string, string>, headers: Record<string, string> = { authorization: `Bearer ${API_KEY}` }) => fetch(`${jamie.url}/api/logs?${new URLSearchParams(q)}`, { headers });
  type LogsBody = { source: string; query: Record<string, unknown>; lines: { ts?: string; pod?: string; line: string }[]; error?: string };

  it("reads the clusters as its own read-only identity, jamie@", async () => {
    const r = await jamie.toolbox.call(findTool(jamie.toolbox, "list_clusters") ?? "list_clusters", {});
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.text).toMatch(/prod \(jamie@prod\) reachable/);
    expect(r.value.text).toMatch(/staging \(jamie@staging\) reachable/);
  });

  it("answers only signed-in people and API keys", async () => {
    expect((await logs({ cluster: "prod", namespace: "shop", pod: "cart-x" }, {})).status).toBe(401);
    const viewer = await signIn("viewer");
    expect((await viewer.get(`/api/logs?${new URLSearchParams({ cluster: "prod", query: '{namespace="shop"}' })}`)).status).toBe(200);
  });

  it("refuses a malformed request with 400 naming what is wrong, and audits it", async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /which log\?/],
      [{ cluster: "prod", namespace: "shop", pod: "cart-x", tail: "501" }, /tail/],
      [{ cluster: "prod", namespace: "Shop!", pod: "cart-x" }, /namespace/],
      [{ cluster: "prod", namespace: "shop", pod: "cart-x", previous: "maybe" }, /previous/],
      [{ cluster: "prod", query: '{namespace="shop"}', since: "361" }, /since/],
      [{ cluster: "prod", query: '{namespace="shop"}', limit: "0" }, /limit/],
      [{ cluster: "prod", query: '{namespace="shop"}', pod: "cart-x" }, /not both/],
      [{ cluster: "prod", query: '{namespace="shop"}', sort: "up" }, /sort|unrecognized/i],
    ];
    for (const [q, message] of cases) {
      const r = await logs(q);
      expect(r.status, JSON.stringify(q)).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(message);
    }
    const audit = new PgAuditStore(db.url, log);
    const rejected = await audit.query({ type: "input.rejected", order: "desc", limit: 20 });
    await audit.close();
    expect(rejected.ok && rejected.value.some((e) => JSON.stringify(e.data).includes("/api/logs") && JSON.stringify(e.data).includes("tail"))).toBe(true);
  });

  it("reads a crash-looping pod's previous run from the sandbox, with credentials blanked", async () => {
    const inject = await fetch(`${sandbox.controlUrl}/sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "crashloop", cluster: "staging", namespace: "shop", target: "catalog", params: { message: `panic: ${MARK} token=${SECRET}` } }),
    });
    expect(inject.status).toBe(201);
    const staging = sandbox.clusters.find((c) => c.name === "staging");
    if (!staging) throw new Error("no staging cluster");
    const crashed = await eventually(() => staging.store.list("pods", { namespace: "shop" }).items.find((p) => p.metadata.name.startsWith("catalog-") && !p.metadata.name.startsWith("catalog-db") && ((p as { status?: { containerStatuses?: { restartCount: number }[] } }).status?.containerStatuses?.[0]?.restartCount ?? 0) > 0), "a restarted catalog pod in staging", 30_000, 500);
    const r = await logs({ cluster: "staging", namespace: "shop", pod: crashed.metadata.name, previous: "true", tail: "50" });
    expect(r.status).toBe(200);
    const body = (await r.json()) as LogsBody;
    expect(body.source).toBe("kubernetes");
    expect(body.query).toMatchObject({ cluster: "staging", namespace: "shop", pod: crashed.metadata.name, previous: true, tail: 50 });
    expect(body.lines.length).toBeGreaterThan(0);
    expect(body.lines.length).toBeLessThanOrEqual(50);
    expect(body.lines.some((l) => l.line.includes(MARK))).toBe(true);
    expect(JSON.stringify(body)).not.toContain(SECRET);
  }, 60_000);

  it("reads a LogQL query's lines from the sandbox's Loki, newest last, each with its time and pod", async () => {
    const query = `{namespace="shop", pod=~"catalog-.*"} |= "${MARK}"`;
    const body = await eventually(async () => {
      const r = await logs({ cluster: "staging", query, since: "10", limit: "100" });
      expect(r.status).toBe(200);
      const b = (await r.json()) as LogsBody;
      return b.lines.length > 0 ? b : undefined;
    }, "Loki lines for the crash-loop's panic", 30_000, 1000);
    expect(body.source).toBe("loki");
    expect(body.query).toMatchObject({ cluster: "staging", query, since: 10, limit: 100 });
    expect(body.lines.every((l) => l.line.includes(MARK) && l.pod?.startsWith("catalog-") && l.ts !== undefined)).toBe(true);
    const times = body.lines.map((l) => l.ts ?? "");
    expect(times).toEqual([...times].sort());
    expect(JSON.stringify(body)).not.toContain(SECRET);
  }, 60_000);

  it("answers 502 with the reason when the tool fails (a pod that does not exist)", async () => {
    const r = await logs({ cluster: "prod", namespace: "shop", pod: "no-such-pod-here" });
    expect(r.status).toBe(502);
    expect(((await r.json()) as { error: string }).error).toMatch(/could not read the log: .*no-such-pod-here/);
  });
});

describe("the operations report API (GET /api/report)", () => {
  let history: ReportHistory;
  const report = (query: string) => fetch(`${jamie.url}/api/report${query}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  const range = () => new URLSearchParams({ from: history.from.toISOString(), to: history.to.toISOString() });
  beforeAll(async () => {
    history = await writeReportHistory(db.url, log);
  });

  it("answers the API key with the report as JSON for the range asked", async () => {
    const r = await report(`?${range()}`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/application\/json/);
    const body = OperationsReport.parse(await r.json());
    expect(body.range).toEqual({ from: history.from.toISOString(), to: history.to.toISOString() });
    expect(body.incidents.opened).toBe(8);
    expect(body.automation).toMatchObject({ autoFixed: 1, afterApproval: 1, escalated: 4 });
    expect(body.approvals).toMatchObject({ requested: 5, waitingNow: 1 });
    expect(body.actions).toMatchObject({ failed: 1, undone: 1 });
  });

  it("defaults to the last seven days, which here hold the incidents before and after the test range too", async () => {
    const before = Date.now();
    const body = OperationsReport.parse(await (await report("")).json());
    const to = Date.parse(body.range.to);
    expect(to).toBeGreaterThanOrEqual(before - 1000);
    expect(to - Date.parse(body.range.from)).toBe(7 * 24 * 3600 * 1000);
    expect(body.incidents.opened).toBe(10);
  });

  it("gives a signed-in viewer the CSV as an attachment: a header row, one row per KPI, the per-kind section", async () => {
    const viewer = await signIn("viewer");
    const r = await viewer.get(`/api/report?${range()}&format=csv`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(r.headers.get("content-disposition")).toBe(`attachment; filename="operations-report_${history.from.toISOString().slice(0, 10)}_${history.to.toISOString().slice(0, 10)}.csv"`);
    const lines = (await r.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe("section,name,value,unit");
    expect(lines).toContain("incidents,opened,8,incidents");
    expect(lines).toContain("automation,escalated,4,incidents");
    expect(lines).toContain("time_to_detect,p90,102,seconds");
    expect(lines).toContain("actions,undone,1,actions");
    expect(lines.filter((l) => l.startsWith("incidents_by_kind,"))).toHaveLength(7 * 4);
  });

  it("refuses bad input with 400 naming the problem, and audits the refusal", async () => {
    const cases: [string, RegExp][] = [
      ["?from=yesterday", /from/],
      ["?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z", /at most 90 days/],
      [`?from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z`, /from must be before to/],
      ["?format=xlsx", /format/],
      ["?limit=5", /limit/],
    ];
    for (const [query, message] of cases) {
      const r = await report(query);
      expect(r.status, query).toBe(400);
      expect(((await r.json()) as { error: string }).error, query).toMatch(message);
    }
    const audit = new PgAuditStore(db.url, log);
    const rejected = await audit.query({ type: "input.rejected", limit: 50 });
    await audit.close();
    const reportRefusals = rejected.ok ? rejected.value.filter((e) => e.data.path === "/api/report") : [];
    expect(reportRefusals).toHaveLength(cases.length);
    expect(reportRefusals[0]?.data).toMatchObject({ status: 400, who: expect.any(String) });
  });

  it("asks for a sign-in or the API key", async () => {
    expect((await fetch(`${jamie.url}/api/report`)).status).toBe(401);
    expect((await fetch(`${jamie.url}/api/report`, { headers: { authorization: "Bearer wrong-key-wrong-key-wrong-key-00" } })).status).toBe(401);
  });
});

describe("incident charts without Prometheus", () => {
  it("draws an incident's four charts from the sandbox's /metrics, recorded since Jamie started", async () => {
    const now = new Date().toISOString();
    scarlet.incidents.push(sampleIncident({ id: "inc-live", status: "open", openedAt: now, updatedAt: now, resolvedAt: undefined }));
    const a = await signIn("viewer");
    const body = await eventually(async () => {
      const b = (await (await a.get("/api/incidents/inc-live/metrics")).json()) as { source: string; series: { name: string; unit: string; points: [number, number][] }[] };
      return b.series.length === 4 && b.series.every((s) => s.points.length > 0) ? b : undefined;
    }, "every chart of the live incident to have points", 30_000, 1000);
    expect(body.source).toBe("sandbox-telemetry");
    expect(body.series.map((s) => [s.name, s.unit])).toEqual([
      ["error rate (5xx share)", "ratio"],
      ["p99 latency", "seconds"],
      ["restarts", "count"],
      ["memory working set", "bytes"],
    ]);
    // Crash-looping since the first test: cart's pods have restarted.
    expect(body.series.find((s) => s.name === "restarts")?.points.at(-1)?.[1]).toBeGreaterThan(0);
  }, 60_000);
});
