import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ToolInfo } from "@autodevops/mcp-clients";
import { createLogger, ok } from "@autodevops/shared";
import { createScarletClient } from "../scarlet/scarlet-client.js";
import { sampleApproval, sampleIncident, startScarletStandIn, type ScarletStandIn } from "../scarlet/testing/scarlet-stand-in.js";
import { createAssistant } from "./assistant.js";
import { ChatEvent } from "./chat-events.js";
import type { ReadToolbox } from "./read-tools.js";
import { ESTATE } from "./testing/estate-fixture.js";
import { redactToolText } from "./tool-events.js";

const log = createLogger({ service: "jamie-test", level: "silent" });

/**
 * The estate's names as our kubernetes server would list them, and nothing else: these tests are
 * about the Scarlet side of answers (the sandbox tests cover the tools).
 */
function namesOnlyToolbox(): ReadToolbox & { calls: string[] } {
  const info = (tool: string): ToolInfo => ({ name: `kubernetes__${tool}`, server: "kubernetes", tool, class: "read", description: tool, inputSchema: { type: "object" }, annotations: { readOnlyHint: true } });
  const out = (data: Record<string, unknown>) => ok({ server: "kubernetes", tool: "x", text: JSON.stringify(data), content: [], structuredContent: data, cached: false });
  const calls: string[] = [];
  return {
    calls,
    listTools: () => ["list_clusters", "list_namespaces", "list_workloads", "list_nodes"].map(info),
    async call(name, args = {}) {
      calls.push(name);
      const c = ESTATE.clusters.find((x) => x.name === args.cluster) ?? ESTATE.clusters[0];
      switch (name) {
        case "kubernetes__list_clusters":
          return out({ clusters: ESTATE.clusters.map((x) => ({ name: x.name, reachable: true })) });
        case "kubernetes__list_namespaces":
          return out({ namespaces: c?.namespaces.map((n) => ({ name: n })) ?? [] });
        case "kubernetes__list_workloads":
          return out({ workloads: c?.workloads ?? [] });
        case "kubernetes__list_nodes":
          return out({ nodes: c?.nodes.map((n) => ({ name: n })) ?? [] });
        default:
          return { ok: false, error: { code: "refused", reason: "unknown_tool", message: `no tool ${name}` } };
      }
    },
  };
}

let scarlet: ScarletStandIn;
const NOW = new Date("2026-03-01T12:00:00.000Z");
beforeAll(async () => {
  scarlet = await startScarletStandIn();
});
afterAll(() => scarlet.close());
beforeEach(() => {
  scarlet.incidents = [
    sampleIncident({ id: "inc-1", updatedAt: "2026-03-01T10:05:00.000Z" }),
    sampleIncident({ id: "inc-2", status: "awaiting_approval", title: "checkout is saturated", workload: "checkout", rootCause: null, decision: null, actions: [], updatedAt: "2026-03-01T11:00:00.000Z" }),
  ];
  scarlet.approvals = [sampleApproval()];
  scarlet.requests.length = 0;
  scarlet.proposalReply = () => ({ status: 201, body: { incidentId: "inc-p", approvalId: "appr-p", route: "approval", reasons: [] } });
});

async function ask(message: string, opts: { role?: "viewer" | "approver" | "admin"; recall?: Parameters<typeof createAssistant>[0]["recall"]; scarletUrl?: string } = {}) {
  const toolbox = namesOnlyToolbox();
  const assistant = createAssistant({ toolbox, scarlet: createScarletClient({ baseUrl: opts.scarletUrl ?? scarlet.url, log, timeoutMs: 500 }), log, now: () => NOW, ...(opts.recall ? { recall: opts.recall } : {}) });
  const events: ChatEvent[] = [];
  const r = await assistant.answer({ message, conversationId: "c", user: { id: "carol", role: opts.role ?? "approver" }, history: [] }, (e) => events.push(e));
  return { ...r, events, toolbox };
}

describe("answers from Scarlet's incidents and approvals", () => {
  it("lists the last day's incidents, newest first, with what Scarlet did", async () => {
    const r = await ask("any incidents?");
    expect(r.answer).toBe(
      "2 incidents in the last 24 hours, newest first:\n" +
        '- inc-2 critical "checkout is saturated" in prod/shop, awaiting approval. Scarlet hasn\'t acted.\n' +
        '- inc-1 critical "cart is crash-looping" in prod/shop, resolved. Cause: cart panics at start. Scarlet: restart shop/cart (succeeded). Route: auto.',
    );
    expect(r.citations.map((c) => c.ref)).toEqual(["inc-2", "inc-1"]);
    expect(scarlet.requests[0]?.path).toBe("/api/incidents?since=2026-02-28T12%3A00%3A00.000Z");
  });

  it("tells one incident in full by its id, and says so when Scarlet has none", async () => {
    const r = await ask("what happened in inc-1?");
    expect(r.answer).toMatch(/^- inc-1 critical "cart is crash-looping".*\n {2}evidence: panic: runtime error\n {2}why: restart cures a crashloop$/);
    expect((await ask("tell me about inc-404")).answer).toBe("Scarlet has no incident inc-404.");
  });

  it("tells a viewer who can decide the pending approvals", async () => {
    const r = await ask("pending approvals", { role: "viewer" });
    expect(r.answer).toMatch(/^1 approval waiting:\n- appr-1: scale shop\/checkout to 5 in prod \(medium risk/);
    expect(r.answer).toMatch(/You can't decide these yourself; an approver can, in Approvals or on Slack\.$/);
  });

  it("says plainly when Scarlet is unreachable", async () => {
    const r = await ask("any incidents?", { scarletUrl: "http://127.0.0.1:9" });
    expect(r.answer).toMatch(/^I couldn't read Scarlet's incidents \(Scarlet is unreachable at http:\/\/127\.0\.0\.1:9 .*\), so I won't guess\.$/);
  });
});

describe("seen before", () => {
  it("brings memory hits and past incidents of the workload, citing incident ids", async () => {
    const recall = async () => [
      { text: "cart crash-looped after a bad config push; rolled back", score: 0.82, kind: "incident", metadata: { incidentId: "inc-old" } },
      { text: "irrelevant chatter", score: 0.1, kind: "conversation", metadata: {} },
    ];
    const r = await ask("have we seen cart crash like this before?", { recall });
    expect(r.answer).toBe(
      "Possibly. 2 things that look alike:\n- (incident, 82% alike) cart crash-looped after a bad config push; rolled back\n- inc-1 on 2026-03-01: \"cart is crash-looping\" (crashloop), resolved; Scarlet did rollout-restart",
    );
    expect(r.citations.map((c) => c.ref)).toEqual(["inc-old", "inc-1"]);
  });
});

describe("change requests", () => {
  it("carries a policy refusal and its reasons back to the person", async () => {
    scarlet.proposalReply = () => ({ status: 200, body: { incidentId: "inc-r", route: "escalate", reasons: ["kube-system is protected"] } });
    const r = await ask("restart coredns");
    expect(r.answer).toBe("I proposed restart kube-system/coredns, but Scarlet's policy refused it (escalate), so nothing will change. Policy says: kube-system is protected.");
  });

  it("points to the pull request when the target is managed by GitOps (its merge is the approval)", async () => {
    scarlet.proposalReply = () => ({ status: 201, body: { incidentId: "chg-1", approvalId: "apr-chg-1-1", pullRequest: "https://github.example/acme/gitops/pull/7", route: "approval", reasons: [] } });
    const r = await ask("scale checkout to 5");
    expect(r.answer).toContain("Scarlet opened a pull request against its manifests: https://github.example/acme/gitops/pull/7 — merging it is the approval");
  });

  it("asks for what is missing instead of proposing half a change", async () => {
    const r = await ask("please scale checkout");
    expect(r.answer).toBe('Happy to pass that to Scarlet, but I need how many replicas. Something like "scale checkout to 5".');
    expect(scarlet.requests).toEqual([]);
  });

  it("says nothing changed when Scarlet cannot be reached", async () => {
    const r = await ask("roll back payments", { scarletUrl: "http://127.0.0.1:9" });
    expect(r.answer).toMatch(/^I couldn't reach Scarlet to propose "roll back shop\/payments" \(Scarlet is unreachable.*\), so nothing was proposed and nothing changed\./);
  });

  it("proposes a drain without a namespace, as node actions have none", async () => {
    await ask("drain node-b in staging");
    expect(scarlet.requests[0]?.body).toMatchObject({ action: { kind: "drain-node", cluster: "staging", namespace: "", target: "node-b", params: {} } });
  });
});

describe("the event stream", () => {
  it("is valid ChatEvents: tokens adding up to the answer, citations, then done", async () => {
    const r = await ask("any incidents?");
    for (const e of r.events) expect(ChatEvent.safeParse(e).success).toBe(true);
    expect(r.events.filter((e) => e.type === "token").map((e) => (e.type === "token" ? e.text : "")).join("")).toBe(r.answer);
    expect(r.events.filter((e) => e.type === "citation")).toHaveLength(2);
    expect(r.events.at(-1)?.type).toBe("done");
  });

  it("answers help without touching a tool beyond reading the estate's names", async () => {
    const r = await ask("what can you do?");
    expect(r.answer).toMatch(/^Hello\. I don't have a language model configured/);
    expect(r.answer).toMatch(/need a model \(OLLAMA_BASE_URL or OPENAI_API_KEY\)\.$/);
    expect(r.toolbox.calls.every((c) => /list_(clusters|namespaces|workloads|nodes)$/.test(c))).toBe(true);
  });

  it("redacts credentials from tool results before they are shown", () => {
    expect(redactToolText('token: abcdefgh12345 Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x.y and postgres://u:hunter2@db/x ghp_abcdefghijklmnopqrstuvwxyz012345')).toBe(
      "token: [Redacted] Authorization: [Redacted] [Redacted] and postgres://u:[Redacted]@db/x [Redacted]",
    );
    expect(redactToolText("x".repeat(20), 10)).toBe("xxxxxxxxxx… (10 more characters)");
  });
});
