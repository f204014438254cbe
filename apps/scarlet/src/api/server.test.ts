import type { AddressInfo } from "node:net";
import { request } from "node:http";
import { Writable } from "node:stream";
import {
  createLogger,
  createServiceMetrics,
  err,
  ok,
  type AlertmanagerWebhook,
  type Approval,
  type ApprovalDecision,
  type ApprovalStatus,
  type AuditEvent,
  type Incident,
  type IncidentStatus,
  type AuditQuery,
  type NewAuditEvent,
  type Result,
} from "@autodevops/shared";
import { afterEach, describe, expect, it } from "vitest";
import type { ChangeRequest, ChangeRequestResult } from "../runtime/change-requests.js";
import type { DecideError, ProposeError, ScarletApi } from "./scarlet-api.js";
import { createScarletServer, type ScarletServerOptions } from "./server.js";

const ALERT_TOKEN = "alert-token-0123456789";
const APPROVER_TOKEN = "approver-token-abcdef";
const BASIC = { username: "alertmanager", password: "s3cret-pass" };

const incident = (id: string, status: IncidentStatus, openedAt: string): Incident => ({
  id,
  fingerprint: `fp-${id}`,
  cluster: "prod",
  namespace: "shop",
  workload: "cart",
  title: "cart crash looping",
  severity: "warning",
  status,
  signals: [{ source: "alertmanager", name: "KubePodCrashLooping", at: openedAt }],
  rootCause: null,
  decision: null,
  actions: [],
  openedAt,
  updatedAt: openedAt,
});

const approval = (id: string, status: ApprovalStatus): Approval => ({
  id,
  incidentId: "inc-1",
  action: { kind: "rollout-restart", cluster: "prod", namespace: "shop", target: "cart", params: { workloadKind: "Deployment" } },
  risk: "medium",
  reasons: ["restart budget allows one more"],
  requestedAt: "2026-11-23T10:00:00.000Z",
  expiresAt: "2026-11-23T10:15:00.000Z",
  status,
});

// Trimmed from a real Alertmanager 0.25 delivery.
const notification = {
  receiver: "scarlet",
  status: "firing",
  alerts: [
    {
      status: "firing",
      labels: { alertname: "KubePodCrashLooping", cluster: "prod", namespace: "shop", pod: "cart-7d9f-abcde", severity: "warning" },
      annotations: { summary: "Pod is crash looping." },
      startsAt: "2026-11-23T10:00:03.512345678+01:00",
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "http://127.0.0.1:9090/graph",
      fingerprint: "1b2c3d4e5f607182",
    },
  ],
  groupLabels: { alertname: "KubePodCrashLooping" },
  commonLabels: { alertname: "KubePodCrashLooping", cluster: "prod" },
  commonAnnotations: {},
  externalURL: "http://127.0.0.1:9093",
  version: "4",
  groupKey: '{}:{alertname="KubePodCrashLooping"}',
  truncatedAlerts: 0,
};

/** An in-memory runtime that records every call. */
class FakeApi implements ScarletApi {
  calls: { method: keyof ScarletApi; args: unknown[] }[] = [];
  incidents = [incident("inc-1", "open", "2026-11-23T10:00:00.000Z"), incident("inc-2", "resolved", "2026-11-22T10:00:00.000Z")];
  approvals = new Map<string, Approval>([
    ["ap-pending", approval("ap-pending", "pending")],
    ["ap-done", { ...approval("ap-done", "approved"), decidedBy: "bob", decidedAt: "2026-11-23T10:01:00.000Z" }],
    ["ap-expired", approval("ap-expired", "expired")],
  ]);
  ready = true;
  failWith: Error | undefined;
  /** Clusters this replica does not lead: a change request for one is refused as `not_leader`. */
  notLeading = new Set<string>();

  private record(method: keyof ScarletApi, ...args: unknown[]) {
    this.calls.push({ method, args });
    if (this.failWith) throw this.failWith;
  }
  callsTo(method: keyof ScarletApi) {
    return this.calls.filter((c) => c.method === method);
  }
  async listIncidents(q: { status?: IncidentStatus; since?: Date }) {
    this.record("listIncidents", q);
    return this.incidents.filter((i) => (!q.status || i.status === q.status) && (!q.since || new Date(i.openedAt) >= q.since));
  }
  async getIncident(id: string) {
    this.record("getIncident", id);
    return this.incidents.find((i) => i.id === id);
  }
  async listApprovals(q: { status?: ApprovalStatus }) {
    this.record("listApprovals", q);
    return [...this.approvals.values()].filter((a) => !q.status || a.status === q.status);
  }
  async decideApproval(id: string, d: ApprovalDecision, approver: string): Promise<Result<Approval, DecideError>> {
    this.record("decideApproval", id, d, approver);
    const a = this.approvals.get(id);
    if (!a) return err({ code: "not_found", message: `no approval ${id}` });
    if (a.status === "expired") return err({ code: "expired", message: `approval ${id} expired` });
    if (a.status !== "pending") return err({ code: "already_decided", message: `approval ${id} is already ${a.status}` });
    const decided: Approval = { ...a, status: d.decision === "approve" ? "approved" : "rejected", decidedBy: approver, decidedAt: "2026-11-23T10:02:00.000Z" };
    this.approvals.set(id, decided);
    return ok(decided);
  }
  async propose(request: ChangeRequest): Promise<Result<ChangeRequestResult, ProposeError>> {
    this.record("propose", request);
    const cluster = request.action.cluster;
    if (this.notLeading.has(cluster)) return err({ code: "not_leader", cluster, message: `replica scarlet-b does not lead cluster ${cluster}: change requests go to its leader` });
    return ok({ incidentId: "chg-1", approvalId: "apr-chg-1-1", route: "approval", reasons: ["matrix: scale is medium risk: ask for approval"] });
  }
  async ingestAlerts(payload: AlertmanagerWebhook) {
    this.record("ingestAlerts", payload);
    return { accepted: payload.alerts.length, duplicates: 0 };
  }
  readiness() {
    return { ready: this.ready, checks: { audit: true, cluster: this.ready } };
  }
}

/** An audit log that keeps what is appended; `history` is what `query` pages through, by incident. */
function auditRecorder() {
  const events: NewAuditEvent[] = [];
  const history: AuditEvent[] = [];
  return {
    events,
    history,
    query: async (q: AuditQuery): Promise<Result<AuditEvent[], never>> =>
      ok(history.filter((e) => e.incidentId === q.incidentId && e.seq > (q.cursor ?? 0)).slice(0, q.limit ?? 100)),
    rejections: () => events.filter((e) => e.type === "input.rejected"),
    append: async (e: NewAuditEvent): Promise<Result<AuditEvent, never>> => {
      events.push(e);
      const h = "0".repeat(64);
      return ok({ seq: events.length, at: new Date().toISOString(), actor: e.actor, type: e.type, incidentId: null, target: null, cluster: null, namespace: null, data: e.data ?? {}, prevHash: h, hash: h });
    },
  };
}

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function start(over: Partial<ScarletServerOptions> = {}) {
  const api = new FakeApi();
  const audit = auditRecorder();
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  const server = createScarletServer({
    api,
    approvers: [
      { token: "other-approver-token", user: "user:carol" },
      { token: APPROVER_TOKEN, user: "user:alice" },
    ],
    alerts: { bearerToken: ALERT_TOKEN },
    audit,
    metrics: createServiceMetrics("scarlet"),
    log: createLogger({ service: "scarlet", level: "debug", destination }),
    maxBodyBytes: 64 * 1024,
    ...over,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  running.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return { api, audit, lines, base, server };
}

const json = (body: unknown) => JSON.stringify(body);
const basicHeader = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;

function postAlerts(base: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${base}/alerts`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ALERT_TOKEN}`, ...headers }, body });
}

/** `token: null` sends no Authorization header. */
function decide(base: string, id: string, body: string, token: string | null = APPROVER_TOKEN) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return fetch(`${base}/api/approvals/${id}`, { method: "POST", headers, body });
}

describe("POST /alerts", () => {
  it("passes a valid notification to the runtime once and answers with its counts", async () => {
    const { api, base, audit } = await start();
    const res = await postAlerts(base, json(notification));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
    const calls = api.callsTo("ingestAlerts");
    expect(calls).toHaveLength(1);
    expect((calls[0]?.args[0] as AlertmanagerWebhook).alerts[0]?.fingerprint).toBe("1b2c3d4e5f607182");
    expect(audit.rejections()).toEqual([]);
  });

  it("refuses a notification without credentials or with a wrong token with 401, audits it and never calls the runtime", async () => {
    const { api, base, audit, lines } = await start();
    const none = await fetch(`${base}/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: json(notification) });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    const wrong = await postAlerts(base, json(notification), { authorization: "Bearer not-the-token" });
    expect(wrong.status).toBe(401);
    const prefix = await postAlerts(base, json(notification), { authorization: `Bearer ${ALERT_TOKEN.slice(0, -1)}` });
    expect(prefix.status).toBe(401);
    expect(api.callsTo("ingestAlerts")).toEqual([]);
    expect(audit.rejections()).toHaveLength(3);
    expect(audit.rejections()[0]).toMatchObject({ actor: "http", type: "input.rejected", data: { route: "/alerts", status: 401, reason: "missing or wrong credentials" } });
    expect(JSON.stringify(audit.events) + lines.join("")).not.toContain("not-the-token");
  });

  it("accepts HTTP basic auth when it is configured and refuses a wrong password with 401", async () => {
    const { api, base, audit } = await start({ alerts: { basic: BASIC } });
    expect((await postAlerts(base, json(notification), { authorization: basicHeader(BASIC.username, BASIC.password) })).status).toBe(200);
    const wrong = await postAlerts(base, json(notification), { authorization: basicHeader(BASIC.username, "guess") });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain("Basic");
    // A bearer token is no credential when only basic auth is configured.
    expect((await postAlerts(base, json(notification))).status).toBe(401);
    expect(api.callsTo("ingestAlerts")).toHaveLength(1);
    expect(audit.rejections().map((e) => e.data?.status)).toEqual([401, 401]);
    expect(JSON.stringify(audit.events)).not.toContain("guess");
  });

  it("takes either credential when both are configured", async () => {
    const { base } = await start({ alerts: { bearerToken: ALERT_TOKEN, basic: BASIC } });
    expect((await postAlerts(base, json(notification))).status).toBe(200);
    expect((await postAlerts(base, json(notification), { authorization: basicHeader(BASIC.username, BASIC.password) })).status).toBe(200);
    expect((await postAlerts(base, json(notification), { authorization: basicHeader("someone", BASIC.password) })).status).toBe(401);
  });

  it("refuses a body that is not declared JSON with 415", async () => {
    const { api, base, audit } = await start();
    const res = await postAlerts(base, json(notification), { "content-type": "text/plain" });
    expect(res.status).toBe(415);
    expect(api.callsTo("ingestAlerts")).toEqual([]);
    expect(audit.rejections()[0]).toMatchObject({ actor: "alertmanager", data: { status: 415 } });
  });

  it("refuses a body over the limit with 413, recording its size but not its content", async () => {
    const { api, base, audit } = await start();
    const big = json({ ...notification, receiver: "x".repeat(70 * 1024) });
    const res = await postAlerts(base, big);
    expect(res.status).toBe(413);
    expect(api.callsTo("ingestAlerts")).toEqual([]);
    const [rejection] = audit.rejections();
    expect(rejection).toMatchObject({ data: { status: 413, contentLength: Buffer.byteLength(big) } });
    expect(JSON.stringify(rejection)).not.toContain("xxxx");
  });

  it("stops reading a streamed body once it passes the limit", async () => {
    const { api, base, audit } = await start();
    let sent = 0;
    const { status, sentWhenAnswered } = await new Promise<{ status: number; sentWhenAnswered: number }>((resolve, reject) => {
      const req = request(`${base}/alerts`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ALERT_TOKEN}` } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, sentWhenAnswered: sent });
        req.destroy();
      });
      req.on("error", reject);
      // Chunked, with no Content-Length: the server only learns the size by reading. The sender
      // keeps writing well past the limit; the answer comes long before it could finish.
      const chunk = Buffer.alloc(16 * 1024, "x");
      const pump = () => {
        while (sent < 64 * 1024 * 1024 && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(sentWhenAnswered).toBeLessThan(16 * 1024 * 1024);
    expect(api.callsTo("ingestAlerts")).toEqual([]);
    const bytes = audit.rejections()[0]?.data?.bodyBytes as number;
    expect(bytes).toBeGreaterThan(64 * 1024);
    expect(bytes).toBeLessThan(1024 * 1024);
  });

  it("refuses malformed JSON and a payload the schema rejects with 400 and the zod message", async () => {
    const { api, base, audit } = await start();
    const broken = await postAlerts(base, "{not json");
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ error: "body is not JSON" });
    const v3 = json({ ...notification, version: "3" });
    const wrongVersion = await postAlerts(base, v3);
    expect(wrongVersion.status).toBe(400);
    expect(await wrongVersion.json()).toEqual({ error: 'version: expected version "4" (Alertmanager webhook payload)' });
    expect(api.callsTo("ingestAlerts")).toEqual([]);
    expect(audit.rejections().map((e) => e.data)).toEqual([
      { route: "/alerts", method: "POST", status: 400, reason: "body is not JSON", bodyBytes: 9, contentLength: 9 },
      { route: "/alerts", method: "POST", status: 400, reason: 'version: expected version "4" (Alertmanager webhook payload)', bodyBytes: Buffer.byteLength(v3), contentLength: Buffer.byteLength(v3) },
    ]);
  });

  it("refuses to start without any credential for Alertmanager", () => {
    expect(() =>
      createScarletServer({ api: new FakeApi(), approvers: [], alerts: {}, audit: auditRecorder(), metrics: createServiceMetrics("scarlet"), log: createLogger({ service: "t" }) }),
    ).toThrow(/alerts needs a bearerToken/);
  });
});

describe("POST /api/approvals/{id}", () => {
  it("records an approver's decision under their user and answers with the approval", async () => {
    const { api, base, audit } = await start();
    const res = await decide(base, "ap-pending", json({ decision: "approve", reason: "looks right" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: "ap-pending", status: "approved", decidedBy: "user:alice" });
    expect(api.callsTo("decideApproval")[0]?.args).toEqual(["ap-pending", { decision: "approve", reason: "looks right" }, "user:alice"]);
    expect(audit.rejections()).toEqual([]);
  });

  it("refuses a request without a bearer token with 401 and a token that is not an approver's with 403, auditing both", async () => {
    const { api, base, audit, lines } = await start();
    expect((await decide(base, "ap-pending", json({ decision: "approve" }), null)).status).toBe(401);
    expect((await decide(base, "ap-pending", json({ decision: "approve" }), "stolen-token")).status).toBe(403);
    expect(api.callsTo("decideApproval")).toEqual([]);
    expect(audit.rejections()).toEqual([
      { actor: "http", type: "input.rejected", data: { route: "/api/approvals/{id}", method: "POST", status: 401, reason: "missing bearer token", approvalId: "ap-pending" } },
      { actor: "http", type: "input.rejected", data: { route: "/api/approvals/{id}", method: "POST", status: 403, reason: "token is not an approver's", approvalId: "ap-pending" } },
    ]);
    expect(lines.join("")).not.toContain("stolen-token");
  });

  it("refuses a malformed decision with 400 and the zod message, audited under the approver", async () => {
    const { api, base, audit } = await start();
    const res = await decide(base, "ap-pending", json({ decision: "maybe" }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^decision: /);
    expect((await decide(base, "ap-pending", "approve")).status).toBe(400);
    expect(api.callsTo("decideApproval")).toEqual([]);
    expect(audit.rejections().map((e) => [e.actor, e.data?.status])).toEqual([
      ["user:alice", 400],
      ["user:alice", 400],
    ]);
  });

  it("answers 404 for an unknown approval and 409 for one already decided or expired", async () => {
    const { base, audit } = await start();
    expect((await decide(base, "ap-nope", json({ decision: "reject" }))).status).toBe(404);
    const done = await decide(base, "ap-done", json({ decision: "reject" }));
    expect(done.status).toBe(409);
    expect(await done.json()).toEqual({ error: "approval ap-done is already approved" });
    expect((await decide(base, "ap-expired", json({ decision: "approve" }))).status).toBe(409);
    expect(audit.rejections().map((e) => [e.data?.status, e.data?.code])).toEqual([
      [404, undefined],
      [409, "already_decided"],
      [409, "expired"],
    ]);
  });
});

describe("POST /api/proposals", () => {
  const propose = (base: string, body: unknown, token: string | null = APPROVER_TOKEN) =>
    fetch(`${base}/api/proposals`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const scale = { action: { kind: "scale", cluster: "prod", namespace: "shop", target: "checkout", params: { replicas: 5 } }, reason: "Black Friday", requestedBy: "alice" };

  it("passes a valid change request from an approver client to the runtime and answers 201 with the route", async () => {
    const { api, base } = await start();
    const res = await propose(base, scale);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ incidentId: "chg-1", route: "approval" });
    // The schema fills in the default workload kind.
    expect(api.callsTo("propose")[0]?.args).toEqual([{ ...scale, action: { ...scale.action, params: { replicas: 5, workloadKind: "Deployment" } } }]);
  });

  it("refuses a proposal without a known token, or outside the action vocabulary, and never reaches the runtime", async () => {
    const { api, base, audit } = await start();
    expect((await propose(base, scale, null)).status).toBe(401);
    expect((await propose(base, scale, "stolen-token")).status).toBe(403);
    expect((await propose(base, { ...scale, action: { ...scale.action, kind: "exec-shell" } })).status).toBe(400);
    expect((await propose(base, { ...scale, reason: "" })).status).toBe(400);
    expect(api.callsTo("propose")).toEqual([]);
    expect(audit.rejections().length).toBeGreaterThanOrEqual(4);
  });

  it("answers 503 not_leader with Retry-After and closes the connection when this replica does not lead the cluster, auditing the refusal", async () => {
    const { api, base, audit } = await start();
    api.notLeading.add("prod");
    const res = await propose(base, scale);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.headers.get("connection")).toBe("close");
    const reason = "replica scarlet-b does not lead cluster prod: change requests go to its leader";
    expect(await res.json()).toEqual({ error: reason, code: "not_leader" });
    expect(api.callsTo("propose")).toHaveLength(1);
    expect(audit.rejections()).toEqual([
      { actor: "user:alice", type: "input.rejected", data: { route: "/api/proposals", method: "POST", status: 503, reason, code: "not_leader", cluster: "prod" } },
    ]);
  });
});

describe("GET /api", () => {
  it("lists incidents filtered by status and since, passing a Date to the runtime", async () => {
    const { api, base } = await start();
    const res = await fetch(`${base}/api/incidents?status=open&since=2026-11-23T00:00:00Z`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { incidents: Incident[] }).incidents.map((i) => i.id)).toEqual(["inc-1"]);
    expect(api.callsTo("listIncidents")[0]?.args[0]).toEqual({ status: "open", since: new Date("2026-11-23T00:00:00Z") });
    const all = (await (await fetch(`${base}/api/incidents`)).json()) as { incidents: Incident[] };
    expect(all.incidents).toHaveLength(2);
  });

  it("lists one incident per root cause: incidents folded into another as its symptoms only with symptoms=true", async () => {
    const { api, base } = await start();
    api.incidents.push({ ...incident("inc-pod", "open", "2026-11-23T10:00:05Z"), symptomOf: "inc-1" });
    const roots = (await (await fetch(`${base}/api/incidents`)).json()) as { incidents: Incident[] };
    expect(roots.incidents.map((i) => i.id)).not.toContain("inc-pod");
    const all = (await (await fetch(`${base}/api/incidents?symptoms=true`)).json()) as { incidents: Incident[] };
    expect(all.incidents.find((i) => i.id === "inc-pod")).toMatchObject({ symptomOf: "inc-1" });
    expect((await fetch(`${base}/api/incidents?symptoms=maybe`)).status).toBe(400);
  });

  it("refuses a bad status or since with 400 naming the parameter", async () => {
    const { api, base } = await start();
    const status = await fetch(`${base}/api/incidents?status=burning`);
    expect(status.status).toBe(400);
    expect(((await status.json()) as { error: string }).error).toMatch(/^status: /);
    const since = await fetch(`${base}/api/incidents?since=yesterday`);
    expect(since.status).toBe(400);
    expect(((await since.json()) as { error: string }).error).toMatch(/^since: /);
    const approvals = await fetch(`${base}/api/approvals?status=maybe`);
    expect(approvals.status).toBe(400);
    expect(((await approvals.json()) as { error: string }).error).toMatch(/^status: /);
    expect(api.calls).toEqual([]);
  });

  it("returns one incident by id, and 404 for an unknown one", async () => {
    const { base } = await start();
    const found = await fetch(`${base}/api/incidents/inc-2`);
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ id: "inc-2", status: "resolved" });
    expect((await fetch(`${base}/api/incidents/inc-9`)).status).toBe(404);
  });

  it("returns an incident's postmortem as Markdown from its audit log (paged), and 404 JSON for an unknown one", async () => {
    const { api, audit, base } = await start();
    const inc2 = api.incidents[1]!;
    inc2.rootCause = { kind: "crashloop", cluster: "prod", namespace: "shop", workload: "cart", summary: "cart exits on a missing REDIS_URL", evidence: ["exit code 1"] };
    inc2.resolvedAt = "2026-11-22T10:05:00.000Z";
    const h = "0".repeat(64);
    const event = (seq: number, type: string): AuditEvent => ({ seq, at: "2026-11-22T10:00:01.000Z", actor: "scarlet", type, incidentId: "inc-2", target: null, cluster: "prod", namespace: "shop", data: {}, prevHash: h, hash: h });
    audit.history.push(event(1, "incident.opened"), ...Array.from({ length: 1200 }, (_, n) => event(n + 2, "finding.recorded")), event(1202, "incident.resolved"));
    api.incidents.push({ ...incident("inc-pod", "resolved", "2026-11-22T10:00:05.000Z"), title: "checkout 5xx", symptomOf: "inc-2" });
    const res = await fetch(`${base}/api/incidents/inc-2/postmortem`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    const text = await res.text();
    expect(text).toMatch(/^# Postmortem: cart crash looping \(inc-2\)$/m);
    expect(text).toContain("- **Summary:** cart exits on a missing REDIS\\_URL");
    expect(text).toContain("- 10:00:01 — 1200 findings recorded (until 10:00:01)");
    expect(text).toContain("- 10:00:01 — incident resolved");
    expect(text).toContain("- checkout 5xx (inc-pod, opened 10:00:05)");
    const missing = await fetch(`${base}/api/incidents/inc-9/postmortem`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "no incident inc-9" });
  });

  it("lists pending approvals with their decision fields", async () => {
    const { base } = await start();
    const pending = (await (await fetch(`${base}/api/approvals?status=pending`)).json()) as { approvals: Approval[] };
    expect(pending.approvals.map((a) => a.id)).toEqual(["ap-pending"]);
    expect(pending.approvals[0]).toMatchObject({ incidentId: "inc-1", risk: "medium", expiresAt: "2026-11-23T10:15:00.000Z", status: "pending" });
    const all = (await (await fetch(`${base}/api/approvals`)).json()) as { approvals: Approval[] };
    expect(all.approvals.find((a) => a.id === "ap-done")).toMatchObject({ decidedBy: "bob", decidedAt: "2026-11-23T10:01:00.000Z" });
  });
});

describe("service routes and errors", () => {
  it("answers health, readiness (200 or 503 with the checks) and metrics counted by route pattern", async () => {
    const { api, base } = await start();
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    api.ready = false;
    const unready = await fetch(`${base}/readyz`);
    expect(unready.status).toBe(503);
    expect(await unready.json()).toEqual({ ready: false, checks: { audit: true, cluster: false } });
    await fetch(`${base}/api/incidents/inc-1`);
    await fetch(`${base}/api/incidents/inc-404`);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await metrics.text();
    const line = (route: string, code: string) =>
      text.split("\n").find((l) => l.includes("scarlet_http_requests_total{") && l.includes(`route="${route}"`) && l.includes(`code="${code}"`));
    expect(line("/api/incidents/{id}", "200")).toMatch(/ 1$/);
    expect(line("/api/incidents/{id}", "404")).toMatch(/ 1$/);
    expect(line("/readyz", "503")).toMatch(/ 1$/);
    expect(text).not.toContain("inc-404");
  });

  it("answers 404 to an unknown route and 405 with Allow to a wrong method", async () => {
    const { base } = await start();
    const unknown = await fetch(`${base}/api/nothing`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/json");
    const wrong = await fetch(`${base}/alerts`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    const del = await fetch(`${base}/api/incidents`, { method: "DELETE" });
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")).toBe("GET, HEAD");
  });

  it("answers 500 without the stack when the runtime throws, and logs the error", async () => {
    const { api, base, lines } = await start();
    api.failWith = new Error("database on fire");
    const res = await fetch(`${base}/api/incidents`);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ error: "internal error" });
    expect(body).not.toContain("fire");
    expect(lines.join("")).toContain("database on fire");
  });
});
