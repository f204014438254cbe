import { describe, expect, it } from "vitest";
import type { Action } from "@autodevops/shared";
import { judge, type LimitHit } from "./guardrails.js";
import { ANNOTATIONS, type PolicyContext, type PolicyPlan } from "./policy-inputs.js";
import { NOW, ago, context, plan, record, restart } from "./test-fixtures.js";

const inAnHour = new Date(NOW.getTime() + 3600_000).toISOString();
const del = (pod = "cart-a", namespace = "shop"): Action => ({ kind: "delete-pod", cluster: "prod", namespace, target: "cart", params: { pod } });
const times = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

type Case = [name: string, plan: PolicyPlan, ctx: PolicyContext, route: string, hit?: LimitHit];

describe("judge: what must not act", () => {
  // The baseline (a low-risk restart at 90 %, two Ready replicas) acts alone; each row changes one input.
  it.each<Case>([
    ["the baseline", plan(), context(), "auto"],
    ["a protected namespace", plan({ action: restart("coredns", "kube-system") }), context(), "approval", "protected-namespace"],
    ["a namespace the operator protects", plan(), context({ settings: { protectedNamespaces: ["shop"] } }), "approval", "protected-namespace"],
    ["autonomy off on the namespace", plan(), context({ namespaceAnnotations: { [ANNOTATIONS.autonomy]: "off" } }), "escalate", "autonomy-off"],
    ["autonomy off on the workload", plan(), context({ targetAnnotations: { [ANNOTATIONS.autonomy]: "off" } }), "escalate", "autonomy-off"],
    ["autonomy off by default", plan(), context({ settings: { defaultAutonomy: "off" } }), "escalate", "autonomy-off"],
    ["a malformed autonomy", plan(), context({ targetAnnotations: { [ANNOTATIONS.autonomy]: "sure" } }), "escalate", "malformed-annotation"],
    ["autonomy approval", plan(), context({ targetAnnotations: { [ANNOTATIONS.autonomy]: "approval" } }), "approval", "autonomy-approval"],
    ["a freeze until later today", plan(), context({ namespaceAnnotations: { [ANNOTATIONS.freezeUntil]: inAnHour } }), "escalate", "frozen"],
    ["a malformed freeze", plan(), context({ targetAnnotations: { [ANNOTATIONS.freezeUntil]: "friday" } }), "escalate", "frozen"],
    ["maintenance", plan(), context({ targetAnnotations: { [ANNOTATIONS.maintenance]: "resizing the pool" } }), "none", "maintenance"],
    ["an action in flight on the target", plan(), context({ history: [record(del(), "executing", 10)] }), "escalate", "target-busy"],
    ["an approved action about to run on the target", plan(), context({ history: [record(del(), "approved", 10)] }), "escalate", "target-busy"],
    ["the most concurrent actions", plan(), context({ history: times(3, (i) => record(restart(`svc-${i}`), "executing", 10)) }), "escalate", "max-concurrent"],
    ["the fix budget spent", plan(), context({ history: times(3, (i) => record(i % 2 ? del() : restart(), "succeeded", 600 * (i + 1))) }), "escalate", "fix-budget"],
    [
      "the per-target rate limit",
      plan(),
      context({ history: times(5, () => record({ kind: "rollback", cluster: "prod", namespace: "shop", target: "cart", params: {} }, "failed", 300)) }),
      "escalate",
      "rate-limit-target",
    ],
    ["the global rate limit", plan(), context({ history: times(20, (i) => record(restart(`svc-${i}`), "succeeded", 60)) }), "escalate", "rate-limit-global"],
    ["deleting one of two Ready pods (50 %, at the limit)", plan({ action: del() }), context(), "auto"],
    ["deleting the only Ready pod (100 %)", plan({ action: del() }), context({ facts: { kind: "workload", replicas: 1, readyPods: ["cart-a"] } }), "approval", "blast-radius"],
    ["deleting a crash-looping pod (0 %)", plan({ action: del() }), context({ facts: { kind: "workload", replicas: 1, readyPods: [] } }), "auto"],
    ["a blast radius above the share for approval", plan({ action: del() }), context({ settings: { blastRadius: { maxApprovalShare: 0.4 } } }), "escalate", "blast-radius"],
    ["an unknown blast radius", plan(), context({ facts: undefined }), "approval", "blast-radius-unknown"],
    ["a high-risk plan", plan({ risk: "high" }), context(), "escalate"],
    ["a low confidence", plan({ confidence: 0.3 }), context(), "escalate"],
  ])("%s", (_name, p, ctx, route, hit) => {
    const j = judge(p, ctx, NOW);
    expect(j.route).toBe(route);
    if (hit) expect(j.limitsHit).toContain(hit);
    expect(j.reasons.length).toBeGreaterThan(0);
  });

  it("lifts a freeze once its time has passed", () => {
    expect(judge(plan(), context({ namespaceAnnotations: { [ANNOTATIONS.freezeUntil]: ago(1) } }), NOW).route).toBe("auto");
  });

  it("keeps escalating with autonomy off under maintenance: off is read first", () => {
    const j = judge(plan(), context({ targetAnnotations: { [ANNOTATIONS.autonomy]: "off", [ANNOTATIONS.maintenance]: "x" } }), NOW);
    expect(j).toMatchObject({ route: "escalate", limitsHit: ["autonomy-off"] });
  });

  it("answers maintenance with no action at all", () => {
    const j = judge(plan(), context({ namespaceAnnotations: { [ANNOTATIONS.maintenance]: "upgrade" } }), NOW);
    expect(j).toMatchObject({ route: "none", action: null, reasons: ["under maintenance (namespace shop: upgrade): nothing is changed in answer to it"] });
  });

  it("keeps the route in dry-run mode and marks the judgement so nothing is executed", () => {
    const j = judge(plan(), context({ settings: { dryRun: true } }), NOW);
    expect(j).toMatchObject({ route: "auto", dryRun: true, limitsHit: ["dry-run"] });
    expect(j.reasons.at(-1)).toBe("dry-run mode: route auto kept, nothing is executed");
  });

  it("says an escalation for a busy target may be judged again, and one for a spent budget may not", () => {
    expect(judge(plan(), context({ history: [record(del(), "executing", 10)] }), NOW).retryable).toBe(true);
    const spent = context({ history: [record(del(), "executing", 10), ...times(3, () => record(restart(), "succeeded", 900))] });
    expect(judge(plan(), spent, NOW).retryable).toBe(false);
  });

  it("does not count the action's own approved record against it when judged again after approval", () => {
    const own = record(restart(), "approved", 60);
    expect(judge(plan({ actionId: own.id }), context({ history: [own] }), NOW).route).toBe("auto");
  });

  it("keeps a drain that evicts protected pods for a human", () => {
    const drain: Action = { kind: "drain-node", cluster: "prod", namespace: "", target: "node-b", params: {} };
    const facts = { kind: "node" as const, workloads: [{ namespace: "kube-system", name: "coredns", replicas: 4, readyOnNode: 1 }] };
    const j = judge(plan({ action: drain, risk: "medium" }), context({ facts }), NOW);
    expect(j.route).toBe("approval");
    expect(j.limitsHit).toContain("protected-namespace");
  });

  it("sets when an approval request lapses, and only for route approval", () => {
    expect(judge(plan({ risk: "medium" }), context(), NOW).approvalExpiresAt).toBe("2026-11-23T10:15:00.000Z");
    expect(judge(plan(), context(), NOW).approvalExpiresAt).toBeUndefined();
  });
});

describe("judge: rules only narrow", () => {
  const restrictions: Record<string, (c: PolicyContext) => PolicyContext> = {
    protectedNs: (c) => ({ ...c, settings: { ...c.settings, protectedNamespaces: ["shop"] } }),
    approvalMode: (c) => ({ ...c, namespaceAnnotations: { ...c.namespaceAnnotations, [ANNOTATIONS.autonomy]: "approval" } }),
    busy: (c) => ({ ...c, history: [...c.history, record(del(), "executing", 5)] }),
    budget: (c) => ({ ...c, history: [...c.history, ...times(3, () => record(restart(), "succeeded", 100))] }),
    blast: (c) => ({ ...c, settings: { ...c.settings, blastRadius: { maxAutoShare: 0, maxApprovalShare: 0 } } }),
    unknownFacts: (c) => ({ ...c, facts: undefined }),
    frozen: (c) => ({ ...c, targetAnnotations: { ...c.targetAnnotations, [ANNOTATIONS.freezeUntil]: "soon" } }),
    dryRun: (c) => ({ ...c, settings: { ...c.settings, dryRun: true } }),
  };
  // How much a route lets happen without a human: none and escalate act on nothing.
  const freedom = { auto: 2, approval: 1, escalate: 0, none: 0 } as const;
  const names = Object.keys(restrictions);

  it.each([
    ["auto", plan()],
    ["approval", plan({ risk: "medium" })],
    ["escalate", plan({ confidence: 0.2 })],
  ])("never widens a %s plan, whichever restrictions combine", (_base, p) => {
    for (let mask = 0; mask < 1 << names.length; mask++) {
      const on = names.filter((_, i) => mask & (1 << i));
      const route = judge(p, on.reduce((c, n) => restrictions[n]!(c), context()), NOW).route;
      for (const extra of names.filter((n) => !on.includes(n))) {
        const narrower = judge(p, restrictions[extra]!(on.reduce((c, n) => restrictions[n]!(c), context())), NOW).route;
        expect(freedom[narrower], `${[...on, extra].join("+")} vs ${on.join("+")}`).toBeLessThanOrEqual(freedom[route]);
      }
    }
  });
});
