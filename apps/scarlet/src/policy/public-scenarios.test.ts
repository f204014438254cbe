import { describe, expect, it } from "vitest";
import type { Action, Risk, RootCauseKind } from "@autodevops/shared";
import { judge } from "./guardrails.js";
import { ANNOTATIONS, type TargetFacts } from "./policy-inputs.js";
import { NOW, context, plan, restart } from "./test-fixtures.js";

// The public scenarios of ../shared/eval/scenarios/public.json: the plan a playbook would bring,
// with a typical confidence, and the route the scenario expects.
const on = (kind: Action["kind"], target: string, params: object = {}): Action => ({ kind, cluster: "prod", namespace: "shop", target, params }) as Action;
const crashing = (replicas: number): TargetFacts => ({ kind: "workload", replicas, readyPods: [] });
const healthy = (replicas: number): TargetFacts => ({ kind: "workload", replicas, readyPods: Array.from({ length: replicas }, (_, i) => `p-${i}`) });

type Row = [id: string, kind: RootCauseKind, action: Action | null, risk: Risk, confidence: number, facts: TargetFacts | undefined, route: string];

describe("routes of the public scenarios", () => {
  it.each<Row>([
    ["crashloop-cart", "crashloop", restart("cart"), "low", 0.9, crashing(1), "auto"],
    ["bad-rollout-checkout", "bad-rollout", on("rollback", "checkout"), "medium", 0.85, healthy(2), "approval"],
    ["image-pull-catalog", "image-pull", on("rollback", "catalog"), "medium", 0.9, healthy(1), "approval"],
    ["oom-payments", "oom", on("set-resources", "payments", { limits: { memory: "768Mi" } }), "medium", 0.85, crashing(1), "approval"],
    ["memory-leak-frontend", "memory-leak", restart("frontend"), "low", 0.85, healthy(2), "auto"],
    ["traffic-spike-frontend", "traffic-spike", on("scale", "frontend", { replicas: 6, from: 2, workloadKind: "Deployment" }), "low", 0.8, healthy(2), "auto"],
    ["dependency-down-redis-cart", "dependency-down", restart("redis-cart"), "low", 0.85, crashing(1), "auto"],
    ["config-error-cart", "config-error", null, "medium", 0.9, crashing(1), "escalate"],
    ["slow-dependency-payments", "slow-dependency", null, "high", 0.8, healthy(1), "escalate"],
    ["disk-pressure-catalog-db", "disk-pressure", null, "high", 0.9, healthy(1), "escalate"],
  ])("%s -> %s", (_id, faultKind, action, risk, confidence, facts, route) => {
    expect(judge(plan({ faultKind, action, risk, confidence }), context({ facts }), NOW).route).toBe(route);
  });

  it("node-not-ready-b: a drain waits for approval", () => {
    const drain: Action = { kind: "drain-node", cluster: "prod", namespace: "", target: "node-b", params: {} };
    const facts: TargetFacts = { kind: "node", workloads: [{ namespace: "shop", name: "cart", replicas: 2, readyOnNode: 0 }] };
    expect(judge(plan({ faultKind: "node-not-ready", action: drain, risk: "medium", confidence: 0.85 }), context({ facts }), NOW).route).toBe("approval");
  });

  it("flapping-checkout-no-action: nothing is broken, so nothing is done and no one is paged", () => {
    const j = judge(plan({ faultKind: "flapping", broken: false, action: null, confidence: 0.9 }), context(), NOW);
    expect(j).toMatchObject({ route: "none", action: null });
  });

  it("crashloop-autonomy-off: the same crashloop escalates when the deployment says off", () => {
    const ctx = context({ facts: crashing(1), targetAnnotations: { [ANNOTATIONS.autonomy]: "off" } });
    expect(judge(plan({ action: restart("catalog") }), ctx, NOW)).toMatchObject({ route: "escalate", limitsHit: ["autonomy-off"] });
  });
});
