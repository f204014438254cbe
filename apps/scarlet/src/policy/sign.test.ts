import { describe, expect, it } from "vitest";
import { generatePolicyKeys, verifyDecision, type Approval } from "@autodevops/shared";
import { judge } from "./guardrails.js";
import { authorize } from "./sign.js";
import { NOW, context, plan, restart } from "./test-fixtures.js";

const keys = generatePolicyKeys();
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();
const auto = judge(plan(), context(), NOW);
const needsApproval = judge(plan({ risk: "medium" }), context(), NOW);
const input = (approval?: Approval) => ({ incidentId: "inc-1", privateKey: keys.privateKeyPem, now: NOW, id: "dec-1", ...(approval ? { approval } : {}) });
const approval = (over: Partial<Approval> = {}): Approval => ({
  id: "ap-1",
  incidentId: "inc-1",
  action: restart(),
  risk: "medium",
  reasons: [],
  requestedAt: NOW.toISOString(),
  expiresAt: at(15),
  status: "approved",
  decidedBy: "user:alice",
  decidedAt: at(5),
  ...over,
});

describe("authorize", () => {
  it("signs an auto judgement with a token the write tools accept for exactly that action", () => {
    const r = authorize(auto, input());
    if (!r.ok) throw new Error(r.error.message);
    const v = verifyDecision(r.value, keys.publicKeyPem, restart(), { now: NOW });
    expect(v.ok && v.value).toMatchObject({ id: "dec-1", route: "auto", incidentId: "inc-1" });
    expect(verifyDecision(r.value, keys.publicKeyPem, restart("checkout"), { now: NOW }).ok).toBe(false);
  });

  it("signs an approved judgement with the approver's name", () => {
    const r = authorize(needsApproval, input(approval()));
    const v = r.ok ? verifyDecision(r.value, keys.publicKeyPem, restart(), { now: NOW }) : undefined;
    expect(v?.ok && v.value).toMatchObject({ route: "approval", approvedBy: "user:alice" });
  });

  it("honours an approval decided in time while Scarlet was down", () => {
    expect(authorize(needsApproval, { ...input(approval()), now: new Date(at(60)) }).ok).toBe(true);
  });

  it.each<[string, Parameters<typeof authorize>[0], Approval | undefined, string]>([
    ["an escalation", judge(plan({ risk: "high" }), context(), NOW), undefined, "not_allowed"],
    ["nothing broken", judge(plan({ broken: false }), context(), NOW), undefined, "not_allowed"],
    ["dry-run mode", judge(plan(), context({ settings: { dryRun: true } }), NOW), undefined, "dry_run"],
    ["dry-run mode, even approved", judge(plan({ risk: "medium" }), context({ settings: { dryRun: true } }), NOW), approval(), "dry_run"],
    ["approval without one", needsApproval, undefined, "approval_required"],
    ["a pending approval", needsApproval, approval({ status: "pending", decidedBy: undefined, decidedAt: undefined }), "approval_not_approved"],
    ["a rejected approval", needsApproval, approval({ status: "rejected" }), "approval_not_approved"],
    ["an expired approval", needsApproval, approval({ status: "expired" }), "approval_not_approved"],
    ["an approval decided after it lapsed", needsApproval, approval({ decidedAt: at(16) }), "approval_expired"],
    ["an approval for another action", needsApproval, approval({ action: restart("checkout") }), "approval_mismatch"],
    ["an approval for another incident", needsApproval, approval({ incidentId: "inc-2" }), "approval_mismatch"],
  ])("refuses to sign %s", (_what, judgement, appr, code) => {
    const r = authorize(judgement, input(appr));
    expect(r.ok ? "signed" : r.error.code).toBe(code);
  });
});
