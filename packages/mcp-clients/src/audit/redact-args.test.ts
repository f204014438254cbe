import { describe, expect, it } from "vitest";
import { generatePolicyKeys, signDecision } from "@autodevops/shared";
import { redactArgs } from "./redact-args.js";
import { toolCallEvent } from "./tool-audit.js";

describe("redaction of tool arguments", () => {
  it("replaces credential-looking keys and values, keeps the rest readable", () => {
    const out = redactArgs({
      namespace: "shop",
      headers: { Authorization: "Bearer abc.def.ghi-123456", accept: "json" },
      password: "hunter2",
      query: 'sum(rate(x[5m])) token=abcdef123 and api_key: "k-123"',
      command: "curl -H 'Authorization: Basic dXNlcjpwYXNz' https://x",
      pem: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----",
      nested: [{ clientSecret: "s" }, "xoxb-123456789012-abcdef"],
      long: "a".repeat(3_000),
    });
    expect(out).toMatchObject({ namespace: "shop", headers: { Authorization: "[Redacted]", accept: "json" }, password: "[Redacted]", nested: [{ clientSecret: "[Redacted]" }, "[Redacted]"], pem: "[Redacted]" });
    expect(out.query).toBe('sum(rate(x[5m])) token=[Redacted] and api_key: [Redacted]');
    expect(out.command).toBe("curl -H 'Authorization: [Redacted]' https://x");
    expect(String(out.long)).toMatch(/^a{2000}… \[1000 characters left out\]$/);
  });

  it("keeps a decision as its id and route, never the token", () => {
    const keys = generatePolicyKeys();
    const token = signDecision(keys.privateKeyPem, { action: { kind: "cordon-node", cluster: "prod", namespace: "", target: "n1", params: {} }, route: "auto", id: "d-1" });
    const event = toolCallEvent({ agent: "scarlet", server: "k8s", tool: "cordon_node", args: { cluster: "prod", target: "n1" }, durationMs: 1.234, outcome: "refused", refusal: "replayed", rejectedDecisionToken: token });
    expect(JSON.stringify(event)).not.toContain(token);
    expect(event).toMatchObject({ actor: "scarlet", type: "policy.refused", target: "prod//n1", cluster: "prod", data: { rejectedDecision: { claimedId: "d-1" }, durationMs: 1.23 } });
  });
});
