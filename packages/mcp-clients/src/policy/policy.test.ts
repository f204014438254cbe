import { describe, expect, it } from "vitest";
import { generatePolicyKeys, signDecision, type Action } from "@autodevops/shared";
import { classifyTool, offerTool } from "./tool-policy.js";
import { actionOfCall, checkWrite } from "./write-guard.js";

describe("tool classification", () => {
  it.each([
    [{ readOnlyHint: true }, "read"],
    [{ readOnlyHint: true, destructiveHint: false }, "read"],
    [undefined, "write"],
    [{}, "write"],
    [{ readOnlyHint: false }, "write"],
    [{ readOnlyHint: "true" }, "write"],
    [{ destructiveHint: false }, "write"],
    [{ readOnlyHint: true, destructiveHint: true }, "write"],
  ] as const)("reads %j as a %s tool (fail closed)", (annotations, want) => {
    expect(classifyTool(annotations)).toBe(want);
  });

  it("offers Jamie reads only, Scarlet both, and an allowlist narrows either", () => {
    const read = { server: "k8s", name: "list_pods", class: "read" as const };
    const write = { server: "k8s", name: "scale", class: "write" as const };
    expect(offerTool("jamie", read, undefined)).toEqual({ offered: true });
    expect(offerTool("jamie", write, undefined)).toMatchObject({ offered: false, reason: "read_only_agent" });
    expect(offerTool("jamie", write, ["scale"])).toMatchObject({ offered: false, reason: "read_only_agent" });
    expect(offerTool("scarlet", write, undefined)).toEqual({ offered: true });
    expect(offerTool("scarlet", write, ["list_pods"])).toMatchObject({ offered: false, reason: "not_allowlisted" });
  });
});

describe("write guard", () => {
  const keys = generatePolicyKeys();
  const now = new Date("2026-03-01T12:00:00Z");
  const args = { cluster: "prod", namespace: "shop", target: "cart", params: { workloadKind: "Deployment" } };
  const action: Action = { kind: "rollout-restart", cluster: "prod", namespace: "shop", target: "cart", params: { workloadKind: "Deployment" } };
  const token = (a: Action = action, at = now, ttlSeconds = 300) => signDecision(keys.privateKeyPem, { action: a, route: "approval", approvedBy: "alice" }, { now: at, ttlSeconds });
  const check = (over: Partial<Parameters<typeof checkWrite>[0]>) =>
    checkWrite({ toolName: "rollout_restart", args, decision: token(), publicKey: keys.publicKeyPem, serverHonoursDryRun: true, now, ...over });

  it("reads the action a call describes from the tool name and arguments", () => {
    expect(actionOfCall("rollout_restart", { cluster: "prod", namespace: "shop", target: "cart", params: {} })).toEqual({ ok: true, value: { ...action, params: { workloadKind: "Deployment" } } });
    expect(actionOfCall("drain_node", { cluster: "prod", target: "node-1" })).toMatchObject({ ok: true, value: { kind: "drain-node", namespace: "", params: {} } });
    expect(actionOfCall("pods_delete", { cluster: "prod" })).toMatchObject({ ok: false, error: expect.stringContaining("not an action") });
    expect(actionOfCall("scale", { cluster: "prod", namespace: "shop", target: "cart", params: {} })).toMatchObject({ ok: false, error: expect.stringContaining("params.replicas") });
  });

  it("admits a decision for exactly this action", () => {
    expect(check({})).toMatchObject({ ok: true, value: { dryRun: false, claims: { route: "approval", approvedBy: "alice" } } });
  });

  it.each([
    ["no_decision", { decision: undefined }],
    ["no_decision", { decision: "" }],
    ["no_policy_key", { publicKey: undefined }],
    ["malformed", { decision: "not-a-token" }],
    ["bad_signature", { decision: signDecision(generatePolicyKeys().privateKeyPem, { action, route: "auto" }, { now }) }],
    ["expired", { decision: token(action, new Date(now.getTime() - 3_600_000), 60) }],
    ["not_yet_valid", { decision: token(action, new Date(now.getTime() + 3_600_000)) }],
    ["action_mismatch", { decision: token({ ...action, target: "web" }) }],
    ["action_mismatch", { decision: token({ ...action, cluster: "staging" }) }],
    ["not_an_action", { toolName: "pods_delete" }],
  ] as const)("refuses with %s", (reason, over) => {
    expect(check(over)).toMatchObject({ ok: false, error: { reason } });
  });

  it("lets a dry run through without a decision only where the server honours dryRun", () => {
    expect(check({ decision: undefined, args: { ...args, dryRun: true } })).toEqual({ ok: true, value: { dryRun: true } });
    expect(check({ decision: undefined, args: { ...args, dryRun: true }, serverHonoursDryRun: false })).toMatchObject({ ok: false, error: { reason: "no_decision" } });
    expect(check({ decision: undefined, args: { ...args, dryRun: "true" } })).toMatchObject({ ok: false, error: { reason: "no_decision" } });
  });
});
