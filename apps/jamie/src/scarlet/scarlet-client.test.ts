import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "@autodevops/shared";
import { createScarletClient, type ScarletClient } from "./scarlet-client.js";
import { sampleApproval, sampleIncident, startScarletStandIn, type ScarletStandIn } from "./testing/scarlet-stand-in.js";

const log = createLogger({ service: "jamie-test", level: "silent" });
let scarlet: ScarletStandIn;
let client: ScarletClient;

beforeAll(async () => {
  scarlet = await startScarletStandIn();
  client = createScarletClient({ baseUrl: `${scarlet.url}/`, log, timeoutMs: 1_000 });
});
afterAll(() => scarlet.close());
beforeEach(() => {
  scarlet.incidents = [sampleIncident(), sampleIncident({ id: "inc-2", status: "open", updatedAt: "2026-03-02T00:00:00.000Z" })];
  scarlet.approvals = [sampleApproval()];
  scarlet.requests.length = 0;
  scarlet.delayMs = 0;
});

describe("Scarlet client", () => {
  it("lists incidents with the status and since filters in the query", async () => {
    const r = await client.listIncidents({ status: "open", since: new Date("2026-03-01T12:00:00Z") });
    expect(r.ok && r.value.map((i) => i.id)).toEqual(["inc-2"]);
    expect(scarlet.requests[0]?.path).toBe("/api/incidents?status=open&since=2026-03-01T12%3A00%3A00.000Z");
  });

  it("reads one incident, and says not_found naming Scarlet and 404 for an unknown id", async () => {
    const one = await client.getIncident("inc-1");
    expect(one.ok && one.value.rootCause?.kind).toBe("crashloop");
    const none = await client.getIncident("nope");
    expect(none).toEqual({ ok: false, error: { code: "not_found", status: 404, message: "Scarlet answered 404 to GET /api/incidents/nope: no incident nope" } });
  });

  it("refuses an answer that does not match the contract", async () => {
    scarlet.incidents = [{ ...sampleIncident(), severity: "apocalyptic" } as never];
    const r = await client.listIncidents();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: "invalid_response", message: expect.stringMatching(/Scarlet answered 200 to GET \/api\/incidents .*severity/) });
  });

  it("lists pending approvals", async () => {
    const r = await client.listApprovals({ status: "pending" });
    expect(r.ok && r.value[0]?.action).toMatchObject({ kind: "scale", target: "checkout", params: { replicas: 5 } });
  });

  it("decides an approval with the approver's token: 200, then 409 for the same one, 403 for a wrong token, 404 for none", async () => {
    const first = await client.decideApproval("appr-1", { decision: "approve", reason: "looks fine" }, "approver-token");
    expect(first.ok && first.value.status).toBe("approved");
    expect(scarlet.requests[0]).toMatchObject({ method: "POST", headers: { authorization: "Bearer approver-token" }, body: { decision: "approve", reason: "looks fine" } });
    const again = await client.decideApproval("appr-1", { decision: "reject" }, "approver-token");
    expect(!again.ok && again.error.code).toBe("conflict");
    const wrong = await client.decideApproval("appr-1", { decision: "reject" }, "viewer-token");
    expect(!wrong.ok && wrong.error).toMatchObject({ code: "forbidden", status: 403 });
    const none = await client.decideApproval("appr-9", { decision: "reject" }, "approver-token");
    expect(!none.ok && none.error.code).toBe("not_found");
  });

  it("proposes a change and reads the route and reasons", async () => {
    const r = await client.propose({ action: { kind: "scale", cluster: "prod", namespace: "shop", target: "checkout", params: { replicas: 5, workloadKind: "Deployment" } }, reason: "asked in chat", requestedBy: "alice" });
    expect(r.ok && r.value).toMatchObject({ route: "approval", approvalId: "appr-proposal-1" });
    expect(scarlet.requests[0]).toMatchObject({ method: "POST", path: "/api/proposals", body: { requestedBy: "alice", action: { kind: "scale" } } });
  });

  it("carries a policy refusal's reasons, and a 400 as rejected", async () => {
    scarlet.proposalReply = () => ({ status: 200, body: { incidentId: "inc-9", route: "escalate", reasons: ["kube-system is protected"] } });
    const refused = await client.propose({ action: { kind: "delete-pod", cluster: "prod", namespace: "kube-system", target: "coredns", params: { pod: "coredns-abc" } }, reason: "x", requestedBy: "bob" });
    expect(refused.ok && refused.value).toEqual({ incidentId: "inc-9", route: "escalate", reasons: ["kube-system is protected"] });
    scarlet.proposalReply = () => ({ status: 400, body: { error: "unknown target" } });
    const bad = await client.propose({ action: { kind: "rollback", cluster: "prod", namespace: "shop", target: "ghost", params: {} }, reason: "x", requestedBy: "bob" });
    expect(!bad.ok && bad.error).toEqual({ code: "rejected", status: 400, message: "Scarlet answered 400 to POST /api/proposals: unknown target" });
  });

  describe("a proposal reaching a replica that does not lead the cluster (503 not_leader)", () => {
    const scale = { action: { kind: "scale", cluster: "prod", namespace: "shop", target: "checkout", params: { replicas: 5, workloadKind: "Deployment" } }, reason: "asked in chat", requestedBy: "alice" } as const;
    const notLeader = (retryAfter = "1") => ({
      status: 503,
      body: { error: "replica scarlet-b does not lead cluster prod: change requests go to its leader", code: "not_leader" },
      headers: { "retry-after": retryAfter },
    });
    const taken = { status: 201, body: { incidentId: "chg-1", approvalId: "appr-chg-1", route: "approval", reasons: [] } };
    /** The stand-in answers `answers` in turn, then the last one again. */
    const answering = (...answers: { status: number; body: unknown; headers?: Record<string, string> }[]) => {
      let i = 0;
      return () => answers[Math.min(i++, answers.length - 1)] ?? taken;
    };
    const recordingClient = () => {
      const waits: number[] = [];
      const c = createScarletClient({ baseUrl: scarlet.url, log, timeoutMs: 1_000, wait: async (ms) => void waits.push(ms) });
      return { c, waits };
    };

    it("is sent again, each time on a new connection and after Retry-After, until a replica takes it", async () => {
      scarlet.proposalReply = answering(notLeader(), notLeader(), taken);
      const { c, waits } = recordingClient();
      const r = await c.propose(scale);
      expect(r.ok && r.value).toMatchObject({ incidentId: "chg-1", approvalId: "appr-chg-1" });
      expect(scarlet.requests.map((q) => [q.method, q.path, q.headers.connection])).toEqual(Array(3).fill(["POST", "/api/proposals", "close"]));
      expect(new Set(scarlet.requests.map((q) => q.remotePort)).size).toBe(3);
      expect(waits).toEqual([1000, 1000]);
    });

    it("really waits between tries with the default wait", async () => {
      scarlet.proposalReply = answering(notLeader("0"), taken);
      const r = await client.propose(scale);
      expect(r.ok).toBe(true);
      expect(scarlet.requests).toHaveLength(2);
    });

    it("gives up after 5 tries with a clear error naming the cluster, waiting at most 2 s between tries", async () => {
      scarlet.proposalReply = answering(notLeader("30"));
      const { c, waits } = recordingClient();
      const r = await c.propose(scale);
      expect(!r.ok && r.error).toEqual({ code: "not_leader", status: 503, retryAfterMs: 30_000, message: "no Scarlet replica leading cluster prod answered (5 tries); try again" });
      expect(scarlet.requests).toHaveLength(5);
      expect(waits).toEqual([2000, 2000, 2000, 2000]);
    });

    it("is never sent again after a 500 or a 503 that is not not_leader: the proposal may have been taken", async () => {
      const { c, waits } = recordingClient();
      scarlet.proposalReply = answering({ status: 500, body: { error: "internal error" } }, taken);
      const failed = await c.propose(scale);
      expect(!failed.ok && failed.error).toEqual({ code: "http", status: 500, message: "Scarlet answered 500 to POST /api/proposals: internal error" });
      expect(scarlet.requests).toHaveLength(1);
      scarlet.proposalReply = answering({ status: 503, body: { error: "upstream unavailable" }, headers: { "retry-after": "1" } }, taken);
      const proxied = await c.propose(scale);
      expect(!proxied.ok && proxied.error).toMatchObject({ code: "http", status: 503 });
      expect(scarlet.requests).toHaveLength(2);
      expect(waits).toEqual([]);
    });

    it("stops retrying when the caller gives up while it waits", async () => {
      scarlet.proposalReply = answering(notLeader("1"), taken);
      const started = Date.now();
      const r = await client.propose(scale, AbortSignal.timeout(100));
      expect(!r.ok && r.error.code).toBe("not_leader");
      expect(Date.now() - started).toBeLessThan(900);
      expect(scarlet.requests).toHaveLength(1);
    });
  });

  it("times out naming Scarlet, and says unreachable when nothing listens", async () => {
    scarlet.delayMs = 300;
    const slow = createScarletClient({ baseUrl: scarlet.url, log, timeoutMs: 50 });
    const r = await slow.listApprovals();
    expect(!r.ok && r.error).toEqual({ code: "timeout", message: "Scarlet did not answer GET /api/approvals within 50 ms" });
    const gone = createScarletClient({ baseUrl: "http://127.0.0.1:9", log });
    const g = await gone.listIncidents();
    expect(!g.ok && g.error.code).toBe("unavailable");
    if (!g.ok) expect(g.error.message).toMatch(/^Scarlet is unreachable at http:\/\/127\.0\.0\.1:9/);
  });
});
