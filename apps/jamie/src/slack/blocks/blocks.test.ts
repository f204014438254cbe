import { describe, expect, it } from "vitest";
import { sampleApproval, sampleIncident } from "../../scarlet/testing/scarlet-stand-in.js";
import { answerBlocks } from "./answer-blocks.js";
import { APPROVE_ACTION, OPEN_PULL_REQUEST_ACTION, approvalBlocks, REJECT_ACTION } from "./approval-blocks.js";
import { incidentBlocks } from "./incident-blocks.js";
import { forSlack } from "./slack-text.js";

const NOW = new Date("2026-03-01T11:30:00.000Z");
type Block = { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { action_id?: string; value?: string; text?: string }[] };
const all = (blocks: readonly unknown[]) => JSON.stringify(blocks);

describe("Slack blocks", () => {
  it("puts log lines of an answer in code blocks and prose in sections, with the sources in a context line", () => {
    const answer = ["cart restarted 4 times in the last hour. The newest lines:", '2026-03-01T10:00:01Z panic: runtime error: index out of range', "2026-03-01T10:00:02Z goroutine 1 [running]:", "Restarting it cures it for a while."].join("\n");
    const blocks = answerBlocks(answer, [{ kind: "log", ref: '{pod=~"cart-.*"}', label: "Loki, last 30 minutes" }]) as Block[];
    expect(blocks.map((b) => b.type)).toEqual(["section", "section", "section", "context"]);
    expect(blocks[1]?.text?.text).toMatch(/^```[\s\S]*panic: runtime error[\s\S]*goroutine 1[\s\S]*```$/);
    expect(blocks[0]?.text?.text).not.toContain("```");
    expect(all(blocks)).toContain("Loki, last 30 minutes");
  });

  it("splits a long answer over sections Slack accepts, never one wall of text", () => {
    const long = Array.from({ length: 200 }, (_, i) => `- pod cart-${i}: Running, 1/1 ready, 0 restarts on node-a`).join("\n");
    const blocks = answerBlocks(long, []) as Block[];
    expect(blocks.length).toBeGreaterThan(2);
    for (const b of blocks) expect((b.text?.text ?? "").length).toBeLessThanOrEqual(3000);
  });

  it("never echoes a token or a Secret's data into Slack", () => {
    const text = ["Authorization: Bearer abcdefghijklmnop1234", "token=xoxb-1234567890-abcdefghij", "apiVersion: v1", "kind: Secret", "data:", "  password: c3VwZXJzZWNyZXQ=", "  username: YWRtaW4xMjM0NQ=="].join("\n");
    const shown = all(answerBlocks(text, []));
    for (const secret of ["abcdefghijklmnop1234", "xoxb-1234567890", "c3VwZXJzZWNyZXQ=", "YWRtaW4xMjM0NQ=="]) expect(shown).not.toContain(secret);
    expect(shown).toContain("[Redacted]");
    expect(forSlack("<!channel> & <@U1>")).toBe("&lt;!channel&gt; &amp; &lt;@U1&gt;");
  });

  it("shows a pending approval with the action, target, risk, reasons, dry run and both buttons", () => {
    const a = sampleApproval({ preview: "--- spec.replicas: 2\n+++ spec.replicas: 5", reasons: ["traffic-spike: checkout at its CPU limit", "evidence: throttling 80 %"] });
    const blocks = approvalBlocks(a, "http://jamie.test", NOW) as Block[];
    const text = all(blocks);
    for (const s of ["scale", "prod/shop/checkout", "medium", "traffic-spike: checkout at its CPU limit", "throttling 80 %", "spec.replicas: 5", "http://jamie.test/approvals"]) expect(text).toContain(s);
    const buttons = blocks.find((b) => b.type === "actions")?.elements ?? [];
    expect(buttons.map((e) => [e.action_id, e.value])).toEqual([
      [APPROVE_ACTION, a.id],
      [REJECT_ACTION, a.id],
    ]);
  });

  it("leads a GitOps change's prompt to its pull request instead of an Approve button (the merge is the approval)", () => {
    const pr = { repo: "acme/gitops", number: 7, url: "https://github.example/acme/gitops/pull/7", branch: "autodevops/apr-1", path: "clusters/prod/shop/checkout.yaml", desired: { kind: "Deployment", replicas: 5 } };
    const blocks = approvalBlocks(sampleApproval({ pullRequest: pr }), "http://jamie.test", NOW) as Block[];
    const buttons = (blocks.find((b) => b.type === "actions")?.elements ?? []) as { action_id?: string; url?: string }[];
    expect(buttons.map((e) => e.action_id)).toEqual([OPEN_PULL_REQUEST_ACTION, REJECT_ACTION]);
    expect(buttons[0]?.url).toBe(pr.url);
    expect(buttons.some((e) => e.action_id === APPROVE_ACTION)).toBe(false);
  });

  it("drops the buttons once an approval is decided or its time has passed, and says which", () => {
    const approved = approvalBlocks(sampleApproval({ status: "approved", decidedAt: "2026-03-01T11:10:00.000Z", reason: "approved by approver (Slack U1) in Slack" }), "http://jamie.test", NOW) as Block[];
    expect(approved.some((b) => b.type === "actions")).toBe(false);
    expect(all(approved)).toMatch(/Approved.*approved by approver \(Slack U1\)/);
    const lapsed = approvalBlocks(sampleApproval({ expiresAt: "2026-03-01T11:20:00.000Z" }), "http://jamie.test", NOW) as Block[];
    expect(lapsed.some((b) => b.type === "actions")).toBe(false);
    expect(all(lapsed)).toContain("Expired");
  });

  it("shows an incident's status, place, root cause, last action and a link to its page", () => {
    const text = all(incidentBlocks(sampleIncident(), "http://jamie.test"));
    for (const s of ["cart is crash-looping", "resolved", "prod/shop/cart", "cart panics at start", "rollout-restart", "succeeded", "http://jamie.test/incidents/inc-1"]) expect(text).toContain(s);
  });
});
