import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoordinationV1Api, KubeConfig } from "@kubernetes/client-node";
import type { Incident } from "@autodevops/shared";
import { eventually } from "@autodevops/shared/testing";
import { resetEstate, startRig, type ScarletReplica, type ScarletRig } from "./scarlet-fixture.js";

// Two Scarlet processes (main.ts) against one sandbox and one database, with leader election on:
// one leads the prod cluster through its Lease, the other waits. The leader is SIGKILLed while an
// approval waits; the other takes over, and the sandbox's mutation log is the ground truth that
// the approved action ran exactly once.
let rig: ScarletRig;
let a: ScarletReplica;
let b: ScarletReplica;
const SCARLET_USER = "system:serviceaccount:autodevops:scarlet";
const LEASE = { name: "scarlet-leader", namespace: "default" };
// Short timings so the test waits seconds, not the production 15 s.
const ELECTION = { SCARLET_LEADER_ELECTION: "true", SCARLET_LEASE_DURATION_SECONDS: "6", SCARLET_LEASE_RENEW_DEADLINE_SECONDS: "4", SCARLET_LEASE_RETRY_PERIOD_SECONDS: "1" };

beforeAll(async () => {
  rig = await startRig();
  a = await rig.replica("scarlet-a", { ...ELECTION, SCARLET_REPLICA_ID: "scarlet-a" });
  b = await rig.replica("scarlet-b", { ...ELECTION, SCARLET_REPLICA_ID: "scarlet-b" });
  await a.start();
  await eventually(async () => (await holder()) === "scarlet-a", "scarlet-a leading prod", 30_000, 200);
  await startFollower(b);
}, 180_000);
afterAll(async () => {
  await rig?.close();
});

/** The prod Lease's holder, read with the admin's credentials. */
async function holder(): Promise<string | undefined> {
  const kc = new KubeConfig();
  kc.loadFromFile(rig.sandbox.kubeconfig);
  kc.setCurrentContext("prod");
  const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease(LEASE).catch(() => undefined);
  return lease?.spec?.holderIdentity;
}

/**
 * Starts a replica while another leads, and lets its elector see the holder: the estate's reset
 * deletes the Lease, and a replica that never saw it held would create it anew (as client-go's
 * would), while one that saw it renewed leaves it to its holder.
 */
async function startFollower(r: ScarletReplica): Promise<void> {
  const leader = await holder();
  await r.start();
  await new Promise((res) => setTimeout(res, 2500));
  expect(await holder()).toBe(leader);
}

const byScarlet = async (since: Date, target: string) =>
  (await rig.mutations(since)).filter((m) => m.user === SCARLET_USER && (m.name === target || m.name?.startsWith(`${target}-`)));

/** The incident about `workload` opened after `since`, as `via` serves it (any replica reads Postgres). */
function incidentVia(via: ScarletReplica, workload: string, since: Date, where: (i: Incident) => boolean): Promise<Incident> {
  return eventually(
    async () =>
      (await via.get<{ incidents: Incident[] }>(`/api/incidents?since=${encodeURIComponent(since.toISOString())}`)).incidents.find(
        (i) => Date.parse(i.openedAt) >= since.getTime() - 1000 && (i.rootCause?.workload ?? i.workload) === workload && where(i),
      ),
    `an incident for ${workload} via ${via.name}`,
    90_000,
    500,
  );
}

async function pendingApproval(via: ScarletReplica, incidentId: string): Promise<{ id: string; action: { kind: string } }> {
  const { approvals } = await via.get<{ approvals: { id: string; incidentId: string; action: { kind: string } }[] }>("/api/approvals?status=pending");
  const approval = approvals.find((x) => x.incidentId === incidentId);
  if (!approval) throw new Error(`no pending approval for ${incidentId}`);
  return approval;
}

const approve = (via: ScarletReplica, approvalId: string) => via.post(`/api/approvals/${approvalId}`, { decision: "approve", reason: "failover test" }, { authorization: `Bearer ${rig.approverToken}` });

/** Waits for the fault's cure and the incident's resolution, then returns what Scarlet did to the workload. */
async function settled(via: ScarletReplica, faultId: string, incidentId: string, since: Date, workload: string) {
  await eventually(async () => (await rig.fault(faultId)).cured, "the fault cured", 90_000, 500);
  await eventually(async () => (await via.get<{ status: string }>(`/api/incidents/${incidentId}`)).status === "resolved", "the incident resolved", 120_000, 500);
  return byScarlet(since, workload);
}

/** Kills `leader` and returns how long until `next` held the Lease. */
async function killAndTimeTakeover(leader: ScarletReplica, next: ScarletReplica): Promise<number> {
  expect(await holder()).toBe(leader.name);
  const killedAt = Date.now();
  await leader.kill();
  await eventually(async () => (await holder()) === next.name, `${next.name} taking over the lease`, 30_000, 100);
  return Date.now() - killedAt;
}

describe("Scarlet with two replicas and leader election", () => {
  it("lets a follower take the approval, and the leader runs the action once", async () => {
    await resetEstate(rig);
    const t0 = new Date();
    const faultId = await rig.inject({ kind: "image-pull", target: "catalog" });
    const incident = await incidentVia(b, "catalog", t0, (i) => i.status === "awaiting_approval");
    const approval = await pendingApproval(b, incident.id);
    expect(await byScarlet(t0, "catalog")).toEqual([]);

    expect((await approve(b, approval.id)).status).toBe(200);
    const done = await settled(a, faultId, incident.id, t0, "catalog");
    expect(done.map((m) => m.action)).toEqual([approval.action.kind]);
    // The leader ran it, told of a decision made on the other replica.
    expect(a.output.some((l) => l.includes("approval decided elsewhere: resuming"))).toBe(true);
    expect(await holder()).toBe("scarlet-a");
  }, 240_000);

  it("survives a SIGKILL of the leader while an approval waits: the other replica takes over and runs the approved action once", async () => {
    await resetEstate(rig);
    const t0 = new Date();
    const faultId = await rig.inject({ kind: "image-pull", target: "catalog" });
    const incident = await incidentVia(b, "catalog", t0, (i) => i.status === "awaiting_approval");
    const approval = await pendingApproval(b, incident.id);

    const takeoverMs = await killAndTimeTakeover(a, b);
    process.stdout.write(`leader-failover: scarlet-b took over prod ${takeoverMs} ms after scarlet-a was SIGKILLed (lease 6 s, renew deadline 4 s, retry 1 s)\n`);
    await eventually(() => b.output.some((l) => l.includes("leading the cluster")), "scarlet-b adopting prod's incidents", 30_000, 200);
    expect(await byScarlet(t0, "catalog")).toEqual([]);

    expect((await approve(b, approval.id)).status).toBe(200);
    const done = await settled(b, faultId, incident.id, t0, "catalog");
    expect(done.map((m) => m.action)).toEqual([approval.action.kind]);
    const actions = await rig.query<{ id: string; status: string }>("SELECT id, status FROM scarlet_actions WHERE incident_id = $1", [incident.id]);
    expect(actions.map((x) => x.status)).toEqual(["succeeded"]);
  }, 240_000);

  it("runs an approval decided while the leader was dead, once, when the other replica takes over", async () => {
    await startFollower(a);
    expect(await holder()).toBe("scarlet-b");
    await resetEstate(rig);
    const t0 = new Date();
    const faultId = await rig.inject({ kind: "image-pull", target: "catalog" });
    const incident = await incidentVia(a, "catalog", t0, (i) => i.status === "awaiting_approval");
    const approval = await pendingApproval(a, incident.id);

    // The leader dies; the approval is given at once, to the replica that does not lead yet.
    const killedAt = Date.now();
    await b.kill();
    expect((await approve(a, approval.id)).status).toBe(200);
    // Nobody leads until the lease runs out: nothing has run.
    expect(await holder()).toBe("scarlet-b");
    expect(await byScarlet(t0, "catalog")).toEqual([]);

    await eventually(async () => (await holder()) === "scarlet-a", "scarlet-a taking over the lease", 30_000, 100);
    process.stdout.write(`leader-failover: scarlet-a took over prod ${Date.now() - killedAt} ms after scarlet-b was SIGKILLed, with the approval already decided\n`);
    const done = await settled(a, faultId, incident.id, t0, "catalog");
    expect(done.map((m) => m.action)).toEqual([approval.action.kind]);
    const actions = await rig.query<{ status: string }>("SELECT status FROM scarlet_actions WHERE incident_id = $1", [incident.id]);
    expect(actions.map((x) => x.status)).toEqual(["succeeded"]);
  }, 240_000);

  it("keeps a frozen leader from acting when it wakes after the other replica took over: the approved action runs once", async () => {
    // The policy allows a fix three times an hour per target: the three runs above spent catalog's.
    const TARGET = "checkout";
    await startFollower(b);
    expect(await holder()).toBe("scarlet-a");
    await resetEstate(rig);
    const t0 = new Date();
    const faultId = await rig.inject({ kind: "image-pull", target: TARGET });
    const incident = await incidentVia(b, TARGET, t0, (i) => i.status === "awaiting_approval");
    const approval = await pendingApproval(b, incident.id);

    // The leader stalls (it neither renews nor acts) and the approval arrives meanwhile, through the follower.
    a.freeze();
    expect((await approve(b, approval.id)).status).toBe(200);
    await eventually(async () => (await holder()) === "scarlet-b", "scarlet-b taking over the lease", 30_000, 100);
    // The old leader wakes with the decision on the bus and its sweeps due, believing nothing changed.
    a.thaw();
    const done = await settled(b, faultId, incident.id, t0, TARGET);
    await eventually(() => a.output.some((l) => l.includes("stopped leading")), "scarlet-a stepping down", 30_000, 200);
    // Another sweep period or two on the old leader: still one action.
    await new Promise((r) => setTimeout(r, 5000));
    expect(await byScarlet(t0, TARGET)).toEqual(done);
    expect(done.map((m) => m.action)).toEqual([approval.action.kind]);
    expect(await holder()).toBe("scarlet-b");
  }, 240_000);
});
