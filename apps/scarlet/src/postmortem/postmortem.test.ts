import type { AuditEvent, Incident, IncidentAction } from "@autodevops/shared";
import { describe, expect, it } from "vitest";
import { durationWords, writePostmortem } from "./postmortem.js";

const HASH = "0".repeat(64);
const DAY = "2026-11-23";
const at = (hms: string) => `${DAY}T${hms}.000Z`;

const base = (over: Partial<Incident> = {}): Incident => ({
  id: "inc-42",
  fingerprint: "fp-42",
  cluster: "prod",
  namespace: "shop",
  workload: "checkout",
  title: "checkout error rate above 5 %",
  severity: "critical",
  status: "resolved",
  signals: [{ source: "prometheus", name: "HighErrorRate", at: at("10:00:00") }],
  rootCause: {
    kind: "bad-rollout",
    cluster: "prod",
    namespace: "shop",
    workload: "checkout",
    summary: "revision 7 of checkout fails its requests",
    evidence: ["5xx share 38 % since the rollout at 09:59", "revision 6 served cleanly for 3 days"],
  },
  decision: null,
  actions: [],
  openedAt: at("10:00:00"),
  updatedAt: at("10:06:30"),
  resolvedAt: at("10:06:30"),
  ...over,
});

/** Audit rows in the order given, seq from 1. */
const log = (...rows: [string, string, Record<string, unknown>?, string?][]): AuditEvent[] =>
  rows.map(([time, type, data = {}, actor = "scarlet"], n) => ({
    seq: n + 1,
    at: at(time),
    actor,
    type,
    incidentId: "inc-42",
    target: null,
    cluster: "prod",
    namespace: "shop",
    data,
    prevHash: HASH,
    hash: HASH,
  }));

const rollback = { kind: "rollback", cluster: "prod", namespace: "shop", target: "checkout", params: {} } as const;
const scale = { kind: "scale", cluster: "prod", namespace: "shop", target: "frontend", params: { replicas: 4, from: 2, workloadKind: "Deployment" } } as const;
const done = (a: typeof rollback | typeof scale, over: Partial<IncidentAction> = {}): IncidentAction =>
  ({ ...a, id: `act-${a.kind}`, status: "succeeded", requestedAt: at("10:01:00"), executedAt: at("10:04:20"), by: "scarlet", ...over }) as IncidentAction;

/** The lines of one `## ` section, without its heading and blank lines. */
function section(markdown: string, heading: string): string[] {
  const start = markdown.split("\n").findIndex((l) => l.startsWith(`## ${heading}`));
  if (start < 0) throw new Error(`no section ${heading} in:\n${markdown}`);
  const rest = markdown.split("\n").slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith("## "));
  return (end < 0 ? rest : rest.slice(0, end)).filter((l) => l !== "");
}

const NOW = new Date(at("11:00:00"));

describe("writePostmortem", () => {
  it("writes an automatic fix: resolved automatically, time to mitigate, and the commit-to-manifests follow-up", () => {
    const incident = base({
      workload: "frontend",
      title: "frontend saturated",
      rootCause: { kind: "traffic-spike", cluster: "prod", namespace: "shop", workload: "frontend", summary: "traffic tripled", evidence: ["rps 300 → 900"] },
      decision: { route: "auto", action: scale, confidence: 0.9, risk: "low", reasons: ["scale is low risk"] },
      actions: [done(scale, { executedAt: at("10:01:05") })],
      resolvedAt: at("10:03:05"),
    });
    const events = log(
      ["10:00:00", "incident.opened", { title: "frontend saturated" }],
      ["10:00:01", "finding.recorded"],
      ["10:00:02", "tool.called", { tool: "metrics" }],
      ["10:00:03", "finding.recorded"],
      ["10:00:04", "finding.recorded"],
      ["10:01:00", "decision.made", { route: "auto", action: scale, confidence: 0.9, risk: "low", reasons: [] }],
      ["10:01:01", "action.executing", { actionId: "act-scale", action: scale, by: "scarlet" }],
      ["10:01:05", "action.succeeded", { actionId: "act-scale", action: scale, result: "scaled" }],
      ["10:02:30", "verification.passed", { actionId: "act-scale", detail: "error share back under 1 %" }],
      ["10:03:05", "incident.resolved", { summary: "scaled frontend to 4" }],
    );
    const pm = writePostmortem({ incident, events, now: NOW });

    expect(pm.title).toBe("Postmortem: frontend saturated (inc-42)");
    expect(pm.path).toBe("postmortems/2026-11-23-inc-42.md");
    expect(section(pm.markdown, "Summary")).toContain("- **How it ended:** resolved automatically");
    expect(section(pm.markdown, "Impact")).toEqual([
      "- **Opened:** 2026-11-23 10:00:00 UTC",
      "- **Resolved:** 2026-11-23 10:03:05 UTC",
      "- **Duration:** 3 minutes 5 seconds",
      "- **Time to mitigate:** 2 minutes (first successful action at 10:01:05, to resolution)",
    ]);
    expect(section(pm.markdown, "Timeline")).toEqual([
      "- 10:00:00 — incident opened",
      "- 10:00:01 — 3 findings recorded (until 10:00:04)",
      "- 10:01:00 — decided: auto — scale frontend to 4 (risk low, confidence 0.9)",
      "- 10:01:01 — scale on frontend executing",
      "- 10:01:05 — scale on frontend succeeded",
      "- 10:02:30 — verification passed",
      "- 10:03:05 — incident resolved",
    ]);
    expect(section(pm.markdown, "Actions")).toContain("| scale | shop/frontend | replicas 2 → 4 | scarlet | succeeded | 10:01:05 |");
    expect(section(pm.markdown, "Follow-ups")).toEqual(["- [ ] Commit the new replica count of frontend to the manifests, or the next sync puts the old one back."]);
    expect(pm.markdown).not.toContain("## Symptoms");
  });

  it("writes an approved rollback: approver, timeline in order, symptoms, and the fix-before-rolling-forward follow-up", () => {
    const decision = { route: "approval" as const, action: rollback, confidence: 0.82, risk: "medium" as const, reasons: ["rollback needs approval"] };
    const incident = base({ decision, actions: [done(rollback, { by: "scarlet (approved by alice)" })] });
    const events = log(
      ["10:00:00", "incident.opened"],
      ["10:01:00", "decision.made", { ...decision }],
      ["10:01:00", "approval.requested", { approvalId: "apr-1", action: rollback, risk: "medium" }],
      ["10:03:59", "approval.decided", { approvalId: "apr-1", decision: "approve", reason: null }, "user:alice"],
      ["10:04:00", "action.executing", { actionId: "act-rollback", action: rollback, by: "scarlet (approved by alice)" }],
      ["10:04:20", "action.succeeded", { actionId: "act-rollback", action: rollback }],
      ["10:06:00", "verification.passed", { actionId: "act-rollback", detail: "5xx share 0.2 %" }],
      ["10:06:30", "incident.resolved", {}],
      ["10:07:00", "postmortem.filed", { url: "https://example.test/pr/1" }],
    );
    const symptoms = [{ ...base({ id: "inc-43", title: "frontend 502s", workload: "frontend", openedAt: at("10:00:10") }), symptomOf: "inc-42" }];
    const pm = writePostmortem({ incident, events, symptoms, now: NOW });

    expect(section(pm.markdown, "Summary")).toEqual([
      "- **What broke:** checkout error rate above 5 %",
      "- **Where:** cluster prod, namespace shop, workload checkout",
      "- **Severity:** critical",
      "- **Status:** resolved",
      "- **How it ended:** resolved after approval by alice",
    ]);
    expect(section(pm.markdown, "Impact")).toContain("- **Duration:** 6 minutes 30 seconds");
    expect(section(pm.markdown, "Impact")).toContain("- **Time to mitigate:** 2 minutes 10 seconds (first successful action at 10:04:20, to resolution)");
    expect(section(pm.markdown, "Root cause")).toEqual([
      "- **Kind:** bad-rollout",
      "- **At fault:** workload checkout, namespace shop, cluster prod",
      "- **Summary:** revision 7 of checkout fails its requests",
      "Evidence:",
      "- 5xx share 38 % since the rollout at 09:59",
      "- revision 6 served cleanly for 3 days",
    ]);
    expect(section(pm.markdown, "Timeline")).toEqual([
      "- 10:00:00 — incident opened",
      "- 10:01:00 — decided: approval — roll back checkout (risk medium, confidence 0.82)",
      "- 10:01:00 — approval requested",
      "- 10:03:59 — approved by alice",
      "- 10:04:00 — rollback on checkout executing",
      "- 10:04:20 — rollback on checkout succeeded",
      "- 10:06:00 — verification passed",
      "- 10:06:30 — incident resolved",
    ]);
    expect(section(pm.markdown, "Actions")).toContain("| rollback | shop/checkout | previous revision | scarlet (approved by alice) | succeeded | 10:04:20 |");
    expect(section(pm.markdown, "Symptoms")).toContain("- frontend 502s (inc-43, opened 10:00:10)");
    expect(section(pm.markdown, "Follow-ups")).toEqual(["- [ ] Fix checkout's new version before rolling forward again."]);

    const byLogOnly = writePostmortem({ incident: { ...incident, actions: [done(rollback, { by: "scarlet-runner" })] }, events, now: NOW });
    expect(section(byLogOnly.markdown, "Summary")).toContain("- **How it ended:** resolved after approval by alice");
  });

  it("writes an escalation without an action: handed to a person, nothing changed, and the decide-the-fix follow-up", () => {
    const incident = base({
      workload: "payments",
      title: "payments OOMKilled",
      status: "escalated",
      resolvedAt: undefined,
      rootCause: { kind: "memory-leak", cluster: "prod", namespace: "shop", workload: "payments", summary: "working set grows 40 MiB an hour", evidence: [] },
      decision: { route: "escalate", action: null, confidence: 0.7, risk: "high", reasons: ["no playbook raises memory on a leak"] },
    });
    const events = log(
      ["10:00:00", "incident.opened"],
      ["10:00:30", "decision.made", { route: "escalate", action: null, confidence: 0.7, risk: "high", reasons: [] }],
      ["10:00:31", "incident.escalated", { summary: "…", why: "a leak needs a code fix, not a restart", nextStep: "profile payments" }],
    );
    const pm = writePostmortem({ incident, events, now: NOW });

    expect(section(pm.markdown, "Summary")).toContain("- **How it ended:** escalated to a person: a leak needs a code fix, not a restart");
    expect(section(pm.markdown, "Impact")).toEqual(["- **Opened:** 2026-11-23 10:00:00 UTC", "- **Resolved:** still open at 2026-11-23 11:00:00 UTC", "- **Duration so far:** 1 hour"]);
    expect(section(pm.markdown, "Root cause")).toContain("- none recorded");
    expect(section(pm.markdown, "Timeline")).toEqual([
      "- 10:00:00 — incident opened",
      "- 10:00:30 — decided: escalate — no action (risk high, confidence 0.7)",
      "- 10:00:31 — escalated: a leak needs a code fix, not a restart",
    ]);
    expect(section(pm.markdown, "Actions")).toEqual(["Nothing was changed."]);
    expect(section(pm.markdown, "Follow-ups")).toEqual([
      "- [ ] Decide the fix Scarlet did not make: a leak needs a code fix, not a restart",
      "- [ ] Look for the memory growth in payments.",
    ]);
  });

  it("writes a failed action: its error in the timeline, still open, and the find-why follow-up", () => {
    const restart = { kind: "rollout-restart", cluster: "prod", namespace: "shop", target: "checkout", params: { workloadKind: "Deployment" } } as const;
    const incident = base({
      status: "failed",
      resolvedAt: undefined,
      rootCause: null,
      actions: [{ ...restart, id: "act-1", status: "failed", requestedAt: at("10:01:00"), executedAt: at("10:01:02"), by: "scarlet" }],
    });
    const events = log(
      ["10:00:00", "incident.opened"],
      ["10:01:00", "decision.made", { route: "auto", action: restart, confidence: 0.6, risk: "low" }],
      ["10:01:01", "action.executing", { actionId: "act-1", action: restart, by: "scarlet" }],
      ["10:01:02", "action.failed", { actionId: "act-1", action: restart, error: "deployments.apps \"checkout\" is forbidden" }],
    );
    const pm = writePostmortem({ incident, events, now: new Date("2026-11-24T12:30:00.000Z") });

    expect(section(pm.markdown, "Summary")).toContain("- **How it ended:** still open (failed)");
    expect(section(pm.markdown, "Impact")).toContain("- **Duration so far:** 1 day 2 hours");
    expect(pm.markdown).not.toContain("Time to mitigate");
    expect(section(pm.markdown, "Root cause")).toEqual(["Not determined."]);
    expect(section(pm.markdown, "Timeline").at(-1)).toBe('- 10:01:02 — rollout-restart on checkout failed: deployments.apps "checkout" is forbidden');
    expect(section(pm.markdown, "Actions")).toContain("| rollout-restart | shop/checkout | — | scarlet | failed | 10:01:02 |");
    expect(section(pm.markdown, "Follow-ups")).toEqual(["- [ ] Find why rollout-restart on checkout did not help."]);
  });

  it("escapes cluster text: no raw HTML, no broken table or line, no stray emphasis; the path keeps safe characters only", () => {
    const title = "cart | <script>alert(1)</script>\n## owned *now*";
    const incident = base({
      id: "inc/../42 x",
      title,
      rootCause: { kind: "crashloop", cluster: "prod", namespace: "shop", workload: "cart", summary: "exit <b>1</b>", evidence: ["- [link](javascript:x) | cell", "paged @oncall-team and @alice"] },
      actions: [done(rollback, { by: "scarlet | user\n<img src=x>" })],
    });
    const events = log(["10:00:00", "incident.opened"], ["10:02:00", "action.failed", { action: rollback, error: "boom |\n<i>x</i>" }]);
    const pm = writePostmortem({ incident, events, now: NOW });

    expect(pm.markdown).not.toMatch(/<(script|b|img|i)\b/);
    expect(pm.markdown.split("\n")[0]).toBe("# Postmortem: cart \\| &lt;script&gt;alert(1)&lt;/script&gt; \\#\\# owned \\*now\\* (inc/../42 x)");
    expect(section(pm.markdown, "Root cause")).toContain("- \\- \\[link\\](javascript:x) \\| cell");
    // Filed on GitHub, a mention would notify: it is broken with a zero-width space.
    expect(pm.markdown).not.toMatch(/@[\w-]/);
    expect(section(pm.markdown, "Root cause")).toContain("- paged @\u200boncall-team and @\u200balice");
    const row = section(pm.markdown, "Actions")[2] ?? "";
    expect(row).toBe("| rollback | shop/checkout | previous revision | scarlet \\| user &lt;img src=x&gt; | succeeded | 10:04:20 |");
    expect(row.replace(/\\\|/g, "").split("|")).toHaveLength(8);
    expect(section(pm.markdown, "Timeline")).toContain("- 10:02:00 — rollback on checkout failed: boom \\| &lt;i&gt;x&lt;/i&gt;");
    expect(pm.path).toBe("postmortems/2026-11-23-inc-..-42-x.md");
    expect(pm.title).toBe("Postmortem: cart | <script>alert(1)</script> ## owned *now* (inc/../42 x)");
  });

  it("chooses follow-ups by rule only: an undone change asks why, a merged GitOps change needs no commit, a quiet close needs none", () => {
    const resources = { kind: "set-resources", cluster: "prod", namespace: "shop", target: "checkout", params: { limits: { memory: "1Gi" } } } as const;
    const undone = base({ rootCause: null, actions: [{ ...resources, id: "act-res", status: "succeeded", requestedAt: at("10:01:00"), executedAt: at("10:01:02"), by: "scarlet" }] });
    const undoneLog = log(
      ["10:01:02", "action.succeeded", { actionId: "act-res", action: resources }],
      ["10:03:00", "verification.failed", { actionId: "act-res", detail: "restarts went on", worse: false }],
      ["10:03:01", "action.undone", { actionId: "act-res", undo: null }],
    );
    const first = writePostmortem({ incident: undone, events: undoneLog, now: NOW });
    expect(section(first.markdown, "Timeline")).toEqual([
      "- 10:01:02 — set-resources on checkout succeeded",
      "- 10:03:00 — verification failed: restarts went on",
      "- 10:03:01 — set-resources on checkout undone",
    ]);
    expect(section(first.markdown, "Actions")).toContain("| set-resources | shop/checkout | limits memory 1Gi | scarlet | succeeded | 10:01:02 |");
    expect(section(first.markdown, "Follow-ups")).toEqual(["- [ ] Find why set-resources on checkout did not help."]);

    const merged = base({ rootCause: null, actions: [done(scale, { by: "argocd (acme/deploy#7 merged by bob)" })] });
    const mergedLog = log(["10:04:20", "action.succeeded", { actionId: "act-scale", action: scale, via: "gitops", pullRequest: "https://github.test/acme/deploy/pull/7" }]);
    const second = writePostmortem({ incident: merged, events: mergedLog, now: NOW });
    expect(section(second.markdown, "Summary")).toContain("- **How it ended:** resolved after approval by bob");
    expect(section(second.markdown, "Timeline")).toEqual(["- 10:04:20 — scale on frontend succeeded (via pull request https://github.test/acme/deploy/pull/7)"]);
    expect(section(second.markdown, "Follow-ups")).toEqual(["None."]);

    const quiet = writePostmortem({ incident: base({ rootCause: null }), events: log(["10:06:30", "incident.resolved", { reason: "no signal for 300 s" }]), now: NOW });
    expect(section(quiet.markdown, "Summary")).toContain("- **How it ended:** resolved without a change: no signal for 300 s");
    expect(section(quiet.markdown, "Follow-ups")).toEqual(["None."]);
  });

  it("says durations in words", () => {
    expect(durationWords(0)).toBe("0 seconds");
    expect(durationWords(1000)).toBe("1 second");
    expect(durationWords(61_000)).toBe("1 minute 1 second");
    expect(durationWords(3_600_000)).toBe("1 hour");
    expect(durationWords(2 * 3_600_000 + 5 * 60_000 + 30_000)).toBe("2 hours 5 minutes");
    expect(durationWords(26 * 3_600_000)).toBe("1 day 2 hours");
  });
});
