// The operations report over what the real Scarlet writes: faults in through the sandbox, an
// automatic fix, one approved and one rejected, then the report computed from the same database
// and checked against Scarlet's own API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@autodevops/shared/testing";
import pg from "pg";
import { operationsReport } from "../../apps/jamie/src/portal/operations-report.js";
import { resetEstate, startRig, type ScarletRig } from "../scarlet/scarlet-fixture.js";

let rig: ScarletRig;
let pool: pg.Pool;

beforeAll(async () => {
  rig = await startRig();
  await rig.start();
  pool = new pg.Pool({ connectionString: rig.db.url, max: 4 });
  // The forced DROP of the test database cuts idle connections: not an uncaught error.
  pool.on("error", () => undefined);
}, 120_000);
afterAll(async () => {
  await pool?.end();
  await rig?.close();
});

/** Waits for the workload's incident to ask for approval, then decides it through Scarlet's API. */
async function decide(workload: string, since: Date, decision: "approve" | "reject"): Promise<string> {
  const incident = await rig.incidentFor(workload, since, 90_000, (i) => i.status === "awaiting_approval");
  const { approvals } = await rig.get<{ approvals: { id: string; incidentId: string }[] }>("/api/approvals?status=pending");
  const approval = approvals.find((a) => a.incidentId === incident.id);
  const r = await rig.post(`/api/approvals/${approval?.id ?? "none"}`, { decision, reason: "report test" }, { authorization: `Bearer ${rig.approverToken}` });
  expect(r.status).toBe(200);
  return incident.id;
}

describe("the operations report over Scarlet's real audit trail", () => {
  it("counts an automatic fix, a fix after approval and a rejected, escalated incident, with their times", async () => {
    await resetEstate(rig);
    const from = new Date();
    await rig.inject({ kind: "crashloop", target: "cart" });
    await rig.incidentFor("cart", from, 90_000, (i) => i.status === "resolved");

    await resetEstate(rig);
    const approvedSince = new Date();
    await rig.inject({ kind: "image-pull", target: "catalog" });
    const approved = await decide("catalog", approvedSince, "approve");
    await eventually(async () => (await rig.get<{ status: string }>(`/api/incidents/${approved}`)).status === "resolved", "the approved incident resolved", 90_000, 500);

    await resetEstate(rig);
    const rejectedSince = new Date();
    await rig.inject({ kind: "bad-rollout", target: "checkout", params: { mode: "crash" } });
    const rejected = await decide("checkout", rejectedSince, "reject");
    await eventually(async () => (await rig.get<{ status: string }>(`/api/incidents/${rejected}`)).status === "escalated", "the rejected incident escalated", 30_000, 500);

    const computed = await operationsReport(pool, { from, to: new Date() }, new Date());
    if (!computed.ok) throw new Error(computed.error.message);
    const report = computed.value;
    const kind = (k: string) => report.incidents.byKind.find((r) => r.kind === k);
    expect(kind("crashloop")?.autoFixed).toBeGreaterThanOrEqual(1);
    expect(kind("image-pull")?.afterApproval).toBe(1);
    expect(kind("bad-rollout")?.escalated).toBe(1);
    const a = report.automation;
    expect(a.autoFixed + a.afterApproval + a.escalated + a.closedWithoutFix + a.open).toBe(report.incidents.opened);
    expect(report.incidentRecords).toBe("scarlet_incidents");
    expect(report.timeToMitigate.count).toBeGreaterThanOrEqual(2);
    expect(report.timeToMitigate.medianSeconds).toBeGreaterThan(0);
    expect(report.timeToDetect.count).toBeGreaterThanOrEqual(3);
    expect(report.approvals).toMatchObject({ approved: 1, rejected: 1 });
    expect(report.approvals.wait.count).toBeGreaterThanOrEqual(2);
    // The report's "waiting now" is Scarlet's own list of pending approvals.
    const { approvals: pending } = await rig.get<{ approvals: unknown[] }>("/api/approvals?status=pending");
    expect(report.approvals.waitingNow).toBe(pending.length);
    expect(report.actions.executed).toBeGreaterThanOrEqual(2);
    // Printed for the closing note: what the figures look like on a real run.
    process.stdout.write(`operations report over the real run: ${JSON.stringify({ incidents: report.incidents, automation: report.automation, timeToDetect: report.timeToDetect, timeToMitigate: report.timeToMitigate, approvals: report.approvals, actions: { ...report.actions, problems: report.actions.problems.length } })}\n`);
  }, 400_000);
});
