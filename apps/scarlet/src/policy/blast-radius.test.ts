import { describe, expect, it } from "vitest";
import type { Action } from "@autodevops/shared";
import { blastRadius } from "./blast-radius.js";
import type { TargetFacts } from "./policy-inputs.js";
import { restart } from "./test-fixtures.js";

const del = (pod: string): Action => ({ kind: "delete-pod", cluster: "prod", namespace: "shop", target: "cart", params: { pod } });
const workload = (replicas: number, readyPods: string[], maxUnavailable?: number): TargetFacts => ({
  kind: "workload",
  replicas,
  readyPods,
  ...(maxUnavailable === undefined ? {} : { maxUnavailable }),
});
const drain: Action = { kind: "drain-node", cluster: "prod", namespace: "", target: "node-b", params: {} };
const share = (a: Action, f?: TargetFacts) => {
  const b = blastRadius(a, f);
  return b.known ? b.share : "unknown";
};

describe("blast radius", () => {
  it.each<[string, Action, TargetFacts | undefined, number | "unknown"]>([
    ["deleting a Ready pod of two", del("cart-a"), workload(2, ["cart-a", "cart-b"]), 0.5],
    ["deleting a crash-looping pod (not Ready)", del("cart-a"), workload(2, ["cart-b"]), 0],
    ["deleting the only Ready pod", del("cart-a"), workload(1, ["cart-a"]), 1],
    ["a rolling restart of four (default maxUnavailable 1)", restart(), workload(4, ["a", "b", "c", "d"]), 0.25],
    ["a rolling restart of one (surge first)", restart(), workload(1, ["a"]), 0],
    ["a restart with maxUnavailable 100 %", restart(), workload(2, ["a", "b"], 2), 1],
    ["scaling 4 down to 1", { kind: "scale", cluster: "prod", namespace: "shop", target: "cart", params: { replicas: 1, from: 4, workloadKind: "Deployment" } }, undefined, 0.75],
    ["scaling up", { kind: "scale", cluster: "prod", namespace: "shop", target: "cart", params: { replicas: 6, from: 3, workloadKind: "Deployment" } }, undefined, 0],
    ["cordoning a node", { kind: "cordon-node", cluster: "prod", namespace: "", target: "node-b", params: {} }, undefined, 0],
    ["a restart without the workload's facts", restart(), undefined, "unknown"],
    ["a drain without the node's workloads", drain, workload(2, []), "unknown"],
  ])("measures %s", (_what, action, facts, expected) => {
    expect(share(action, facts)).toBe(expected);
  });

  it("measures a drain by the workload it hurts most: a node hosting all replicas is 100 %", () => {
    const b = blastRadius(drain, {
      kind: "node",
      workloads: [
        { namespace: "shop", name: "cart", replicas: 4, readyOnNode: 1 },
        { namespace: "shop", name: "checkout", replicas: 2, readyOnNode: 2 },
      ],
    });
    expect(b).toEqual({ known: true, share: 1, detail: "shop/checkout: 2 of 2 replicas (100 %)" });
  });
});
