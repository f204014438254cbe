import { describe, expect, it } from "vitest";
import type { Action } from "../domain/incident.js";
import { DecisionLedger, generatePolicyKeys, peekDecision, signDecision, verifyDecision } from "./decision-token.js";

const keys = generatePolicyKeys();
const restart: Action = { kind: "rollout-restart", cluster: "prod", namespace: "shop", target: "cart", params: { workloadKind: "Deployment" } };
const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, s));

describe("decision tokens", () => {
  it("verifies a token for exactly the action it was signed for", () => {
    const token = signDecision(keys.privateKeyPem, { action: restart, route: "auto", incidentId: "inc-1" }, { now: at(0) });
    const r = verifyDecision(token, keys.publicKeyPem, restart, { now: at(10) });
    expect(r.ok && r.value).toMatchObject({ route: "auto", incidentId: "inc-1", action: restart });
  });

  it("compares params after defaults, whatever the key order", () => {
    const token = signDecision(keys.privateKeyPem, { action: { ...restart, params: {} } as unknown as Action, route: "auto" }, { now: at(0) });
    expect(verifyDecision(token, keys.publicKeyPem, restart, { now: at(1) }).ok).toBe(true);
  });

  it.each([
    ["another target", { ...restart, target: "checkout" }],
    ["another cluster", { ...restart, cluster: "staging" }],
    ["another kind", { kind: "scale", cluster: "prod", namespace: "shop", target: "cart", params: { replicas: 0, workloadKind: "Deployment" } }],
  ] as const)("refuses the token for %s", (_, other) => {
    const token = signDecision(keys.privateKeyPem, { action: restart, route: "auto" }, { now: at(0) });
    const r = verifyDecision(token, keys.publicKeyPem, other as Action, { now: at(1) });
    expect(!r.ok && r.error.code).toBe("action_mismatch");
  });

  it("refuses a token signed by another key, an edited payload, an expired token and garbage", () => {
    const other = generatePolicyKeys();
    const forged = signDecision(other.privateKeyPem, { action: restart, route: "auto" }, { now: at(0) });
    expect(verifyDecision(forged, keys.publicKeyPem, restart, { now: at(1) })).toMatchObject({ ok: false, error: { code: "bad_signature" } });

    const token = signDecision(keys.privateKeyPem, { action: restart, route: "auto" }, { now: at(0) });
    const claims = peekDecision(token);
    const widened = Buffer.from(JSON.stringify({ ...claims, action: { ...restart, target: "payments" } })).toString("base64url");
    expect(verifyDecision(`${widened}.${token.split(".")[1]}`, keys.publicKeyPem, { ...restart, target: "payments" }, { now: at(1) })).toMatchObject({ ok: false, error: { code: "bad_signature" } });

    const short = signDecision(keys.privateKeyPem, { action: restart, route: "auto" }, { now: at(0), ttlSeconds: 60 });
    expect(verifyDecision(short, keys.publicKeyPem, restart, { now: new Date(at(0).getTime() + 120_000) })).toMatchObject({ ok: false, error: { code: "expired" } });
    expect(verifyDecision("not-a-token", keys.publicKeyPem, restart)).toMatchObject({ ok: false, error: { code: "malformed" } });
  });

  it("lets a decision be used once", () => {
    const token = signDecision(keys.privateKeyPem, { action: restart, route: "auto" }, { now: at(0) });
    const claims = peekDecision(token);
    if (!claims) throw new Error("no claims");
    const ledger = new DecisionLedger();
    expect(ledger.use(claims, at(1))).toBe(true);
    expect(ledger.use(claims, at(2))).toBe(false);
  });
});
