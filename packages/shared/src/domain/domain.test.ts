import { describe, expect, it } from "vitest";
import { Action, Incident } from "./incident.js";
import { Approval, ApprovalDecision } from "./approval.js";
import { Finding } from "./finding.js";
import { NewAuditEvent, targetRef } from "./audit-event.js";

const now = "2026-11-23T10:00:00.000Z";

describe("domain schemas", () => {
  it("accept an incident shaped as CONTRACTS.md section 5 writes it", () => {
    const incident = {
      id: "inc-1",
      fingerprint: "prod/shop/checkout/crashloop",
      cluster: "prod",
      namespace: "shop",
      workload: "checkout",
      title: "checkout is crash-looping",
      severity: "critical",
      status: "resolved",
      signals: [{ source: "watch", name: "CrashLoopBackOff", at: now }],
      rootCause: { kind: "crashloop", cluster: "prod", namespace: "shop", workload: "checkout", summary: "panic at start", evidence: ["restarts=5"] },
      decision: {
        route: "auto",
        action: { kind: "rollout-restart", cluster: "prod", namespace: "shop", target: "checkout", params: {} },
        confidence: 0.9,
        risk: "low",
        reasons: ["playbook crashloop matched"],
      },
      actions: [
        {
          kind: "rollout-restart",
          cluster: "prod",
          namespace: "shop",
          target: "checkout",
          params: { workloadKind: "Deployment" },
          id: "act-1",
          status: "succeeded",
          requestedAt: now,
          executedAt: now,
          by: "scarlet",
        },
      ],
      openedAt: now,
      updatedAt: now,
      resolvedAt: now,
    };
    expect(Incident.parse(incident).actions[0]).toMatchObject({ kind: "rollout-restart", status: "succeeded" });
  });

  it("refuse an action outside the fixed vocabulary", () => {
    const r = Action.safeParse({ kind: "exec-shell", cluster: "prod", namespace: "shop", target: "x", params: { cmd: "rm -rf /" } });
    expect(r.success).toBe(false);
  });

  it("refuse parameters that belong to another action kind", () => {
    const r = Action.safeParse({ kind: "delete-pod", cluster: "prod", namespace: "shop", target: "checkout", params: { replicas: 0 } });
    expect(r.success).toBe(false);
    const scale = Action.safeParse({ kind: "scale", cluster: "prod", namespace: "shop", target: "checkout", params: { replicas: 4 } });
    expect(scale.success && scale.data.params).toEqual({ replicas: 4, workloadKind: "Deployment" });
  });

  it("refuse a set-resources action that changes nothing or uses a bad quantity", () => {
    const base = { kind: "set-resources", cluster: "prod", namespace: "shop", target: "cart" };
    expect(Action.safeParse({ ...base, params: {} }).success).toBe(false);
    expect(Action.safeParse({ ...base, params: { limits: { memory: "lots" } } }).success).toBe(false);
    expect(Action.safeParse({ ...base, params: { limits: { memory: "768Mi" } } }).success).toBe(true);
  });

  it("refuse a target that is not a Kubernetes name", () => {
    expect(Action.safeParse({ kind: "cordon-node", cluster: "prod", namespace: "", target: "node-a; rm", params: {} }).success).toBe(false);
  });

  it("default an approval to pending and accept only approve or reject as a decision", () => {
    const a = Approval.parse({
      id: "ap-1",
      incidentId: "inc-1",
      action: { kind: "rollback", cluster: "prod", namespace: "shop", target: "checkout", params: {} },
      risk: "medium",
      reasons: ["rollback changes the running version"],
      requestedAt: now,
      expiresAt: now,
    });
    expect(a.status).toBe("pending");
    expect(ApprovalDecision.safeParse({ decision: "maybe" }).success).toBe(false);
    expect(ApprovalDecision.safeParse({ decision: "approve", extra: 1 }).success).toBe(false);
  });

  it("accept a finding with an unknown kind", () => {
    const f = Finding.parse({
      id: "f-1",
      source: "prometheus",
      name: "HighErrorRate",
      cluster: "prod",
      namespace: "shop",
      kind: "unknown",
      severity: "warning",
      summary: "5xx above 5%",
      evidence: [],
      at: now,
    });
    expect(f.labels).toEqual({});
  });

  it("refuse audit data that would not come back from jsonb unchanged", () => {
    expect(NewAuditEvent.safeParse({ actor: "a", type: "tool.called", data: { x: Number.NaN } }).success).toBe(false);
    expect(NewAuditEvent.safeParse({ actor: "a", type: "tool.called", data: { x: "a\u0000b" } }).success).toBe(false);
    expect(NewAuditEvent.safeParse({ actor: "a", type: "tool.called", data: { x: "y".repeat(70_000) } }).success).toBe(false);
    expect(targetRef({ cluster: "prod", namespace: "shop", name: "checkout" })).toBe("prod/shop/checkout");
  });
});
