import { describe, expect, it } from "vitest";
import type { Action } from "@autodevops/shared";
import { PolicySettings } from "./policy-inputs.js";
import { fixFamily, viewHistory } from "./action-history.js";
import { NOW, record, restart } from "./test-fixtures.js";

const settings = PolicySettings.parse({
  rateLimits: { perTarget: { max: 5, windowSeconds: 600 }, global: { max: 20, windowSeconds: 60 } },
  fixBudget: { max: 3, windowSeconds: 3600 },
});
const del = (target = "cart"): Action => ({ kind: "delete-pod", cluster: "prod", namespace: "shop", target, params: { pod: `${target}-a` } });

describe("action history", () => {
  it("counts in-flight actions on the target and everywhere, not finished ones", () => {
    const v = viewHistory([record(restart(), "executing", 5), record(restart("checkout"), "approved", 5), record(restart(), "succeeded", 5)], restart(), settings, NOW);
    expect(v).toMatchObject({ inFlightOnTarget: 1, inFlightTotal: 2 });
  });

  it("counts each limit within its own window", () => {
    const records = [record(restart(), "succeeded", 30), record(restart(), "failed", 300), record(restart(), "succeeded", 1800), record(restart("checkout"), "succeeded", 30)];
    expect(viewHistory(records, restart(), settings, NOW)).toEqual({ inFlightOnTarget: 0, inFlightTotal: 0, global: 2, onTarget: 2, sameFix: 3 });
  });

  it("leaves out proposals, rejections and skips: they changed nothing", () => {
    const records = [record(restart(), "proposed", 5), record(restart(), "rejected", 5), record(restart(), "skipped", 5)];
    expect(viewHistory(records, restart(), settings, NOW)).toEqual({ inFlightOnTarget: 0, inFlightTotal: 0, global: 0, onTarget: 0, sameFix: 0 });
  });

  it("counts deleting a pod and restarting the rollout as the same fix", () => {
    expect(fixFamily("delete-pod")).toBe(fixFamily("rollout-restart"));
    expect(viewHistory([record(del(), "succeeded", 60), record(restart(), "succeeded", 120)], del(), settings, NOW).sameFix).toBe(2);
  });

  it("tells targets apart by cluster and namespace as well as name", () => {
    const other = [record({ ...restart(), cluster: "staging" }, "executing", 5), record(restart("cart", "dev"), "executing", 5)];
    expect(viewHistory(other, restart(), settings, NOW)).toMatchObject({ inFlightOnTarget: 0, inFlightTotal: 2, onTarget: 0 });
  });

  it("does not count an action's own record against it, and counts records dated in the future", () => {
    const own = record(restart(), "approved", 5);
    expect(viewHistory([own], restart(), settings, NOW, own.id).inFlightOnTarget).toBe(0);
    expect(viewHistory([record(restart(), "succeeded", -120)], restart(), settings, NOW).onTarget).toBe(1);
  });
});
