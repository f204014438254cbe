import { describe, expect, it } from "vitest";
import type { Action, Risk } from "@autodevops/shared";
import { AUTO_MIN_CONFIDENCE, ESCALATE_BELOW_CONFIDENCE, riskFloor, routeByMatrix } from "./decision-matrix.js";
import { restart } from "./test-fixtures.js";

const scale = (replicas: number, from?: number): Action => ({
  kind: "scale",
  cluster: "prod",
  namespace: "shop",
  target: "frontend",
  params: { replicas, workloadKind: "Deployment", ...(from === undefined ? {} : { from }) },
});

describe("decision matrix", () => {
  it.each<[Risk, number, string]>([
    ["low", 0.95, "auto"],
    ["low", AUTO_MIN_CONFIDENCE, "auto"],
    ["low", 0.79, "approval"],
    ["low", ESCALATE_BELOW_CONFIDENCE, "approval"],
    ["low", 0.49, "escalate"],
    ["medium", 0.99, "approval"],
    ["medium", 0.6, "approval"],
    ["medium", 0.3, "escalate"],
    ["high", 0.99, "escalate"],
    ["high", 0.1, "escalate"],
  ])("routes a %s-risk restart at confidence %s to %s", (risk, confidence, route) => {
    expect(routeByMatrix(restart(), risk, confidence).route).toBe(route);
  });

  it("never rates an action below the floor of its kind, whatever the playbook says", () => {
    const rollback: Action = { kind: "rollback", cluster: "prod", namespace: "shop", target: "checkout", params: {} };
    const v = routeByMatrix(rollback, "low", 0.99);
    expect(v).toMatchObject({ route: "approval", risk: "medium" });
    expect(v.reasons[0]).toMatch(/risk raised from low to medium/);
  });

  it.each<[string, Action, Risk]>([
    ["scaling up", scale(4, 2), "low"],
    ["scaling down", scale(1, 3), "medium"],
    ["scaling in an unknown direction", scale(3), "medium"],
    ["scaling to zero", scale(0, 3), "high"],
  ])("rates %s at least %s", (_what, action, floor) => {
    expect(riskFloor(action)).toBe(floor);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, -1, 7])("reads an impossible confidence %s as 0 and escalates", (c) => {
    const v = routeByMatrix(restart(), "low", c);
    expect(v.route).toBe("escalate");
    expect(v.reasons.some((r) => r.includes("outside 0..1"))).toBe(true);
  });
});
