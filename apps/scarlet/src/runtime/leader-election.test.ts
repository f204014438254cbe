import { mkdtemp, rm } from "node:fs/promises";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CoordinationV1Api, KubeConfig, V1MicroTime, type V1Lease } from "@kubernetes/client-node";
import { createLogger } from "@autodevops/shared";
import { eventually } from "@autodevops/shared/testing";
import { startSandbox, type RunningSandbox } from "@autodevops/sandbox";
import { LeaseElector, type LeaseSettings } from "./leader-election.js";

// The lease loop against the sandbox's real API server: Scarlet's own identity contends, the
// admin reads (and, to play a crashed or rival holder, writes) the Lease.
const log = createLogger({ service: "leader-election-test", level: "silent" });
let sandbox: RunningSandbox;
let dataDir: string;
const electors: LeaseElector[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "scarlet-lease-"));
  sandbox = await startSandbox({ dataDir, host: "127.0.0.1", controlPort: 0, log });
}, 60_000);
afterEach(async () => {
  await Promise.all(electors.splice(0).map((e) => e.stop().catch(() => undefined)));
});
afterAll(async () => {
  await sandbox?.stop().catch(() => undefined); // the last test stopped it already
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function kubeConfig(context: string, server?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfig);
  if (server) kc.loadFromOptions({ clusters: kc.clusters.map((c) => (c.name === "prod" ? { ...c, server } : c)), users: kc.users, contexts: kc.contexts, currentContext: context });
  kc.setCurrentContext(context);
  return kc;
}

/**
 * A TCP path to prod's API server that can turn into a black hole: connections are accepted and
 * never answered, as when a route or a firewall drops packets (no error for the client to see).
 */
async function blackHoleable(): Promise<{ url: string; swallow(): void; close(): Promise<void> }> {
  const target = new URL(sandbox.clusters.find((c) => c.name === "prod")?.apiServer ?? "");
  const open = new Set<net.Socket>();
  let swallowing = false;
  const server = net.createServer((inbound) => {
    open.add(inbound);
    inbound.on("close", () => open.delete(inbound));
    inbound.on("error", () => inbound.destroy());
    if (swallowing) return; // accepted, never answered
    const upstream = net.connect(Number(target.port), target.hostname);
    upstream.on("error", () => inbound.destroy());
    inbound.pipe(upstream).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    swallow() {
      swallowing = true;
      for (const s of open) s.destroy(); // kept-alive connections go too: the next request opens one into the hole
    },
    close: () => {
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
const admin = () => kubeConfig("prod").makeApiClient(CoordinationV1Api);
const readLease = (name: string): Promise<V1Lease> => admin().readNamespacedLease({ name, namespace: "default" });

let leaseNo = 0;
const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1400, retryPeriodMs: 250 };

function contender(name: string, identity: string, overrides: Partial<LeaseSettings> = {}, server?: string) {
  const events: string[] = [];
  const e = new LeaseElector({
    kubeConfig: kubeConfig("scarlet@prod", server),
    settings: { namespace: "default", name, identity, ...timings, ...overrides },
    log,
    onStartedLeading: () => events.push("started"),
    onStoppedLeading: () => events.push("stopped"),
  });
  electors.push(e);
  return { elector: e, events };
}
const freshLease = () => `scarlet-test-${++leaseNo}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the lease loop against the sandbox's API server", () => {
  it("acquires a free lease, creating it with the standard fields", async () => {
    const name = freshLease();
    const a = contender(name, "replica-a");
    a.elector.start();
    await eventually(() => a.elector.isLeader(), "replica-a leading");
    expect(a.events).toEqual(["started"]);
    const lease = await readLease(name);
    expect(lease.spec).toMatchObject({ holderIdentity: "replica-a", leaseDurationSeconds: 2, leaseTransitions: 0 });
    expect(lease.spec?.acquireTime).toBeDefined();
    expect(lease.spec?.renewTime).toBeDefined();
  });

  it("renews every retry period: renewTime advances, acquireTime and transitions stay", async () => {
    const name = freshLease();
    const a = contender(name, "replica-a");
    a.elector.start();
    await eventually(() => a.elector.isLeader(), "replica-a leading");
    const first = (await readLease(name)).spec;
    await sleep(1200);
    const later = (await readLease(name)).spec;
    expect(new Date(later?.renewTime ?? 0).getTime()).toBeGreaterThan(new Date(first?.renewTime ?? 0).getTime());
    expect(new Date(later?.acquireTime ?? 0).getTime()).toBe(new Date(first?.acquireTime ?? 0).getTime());
    expect(later).toMatchObject({ holderIdentity: "replica-a", leaseTransitions: 0 });
    expect(a.elector.isLeader()).toBe(true);
  });

  it("makes a second contender wait while the holder keeps renewing", async () => {
    const name = freshLease();
    const a = contender(name, "replica-a");
    a.elector.start();
    await eventually(() => a.elector.isLeader(), "replica-a leading");
    const b = contender(name, "replica-b");
    b.elector.start();
    // Twice the lease duration: were renewals not seen, b would have taken over by now.
    await sleep(2 * timings.leaseDurationMs);
    expect(b.elector.isLeader()).toBe(false);
    expect(b.events).toEqual([]);
    expect(b.elector.holder()).toBe("replica-a");
    expect((await readLease(name)).spec?.holderIdentity).toBe("replica-a");
  });

  it("takes over a lease whose holder stopped renewing, once the lease duration has passed, counting a transition", async () => {
    const name = freshLease();
    // A holder that crashed right after renewing: the admin writes its record, nobody renews it.
    const now = new V1MicroTime();
    await admin().createNamespacedLease({
      namespace: "default",
      body: { metadata: { name, namespace: "default" }, spec: { holderIdentity: "crashed", leaseDurationSeconds: 2, acquireTime: now, renewTime: now, leaseTransitions: 3 } },
    });
    const b = contender(name, "replica-b");
    const t0 = Date.now();
    b.elector.start();
    await eventually(() => b.elector.isLeader(), "replica-b leading", 10_000, 50);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(timings.leaseDurationMs);
    expect((await readLease(name)).spec).toMatchObject({ holderIdentity: "replica-b", leaseTransitions: 4 });
  });

  it("releases the lease on stop, so a waiting contender takes it without waiting out the duration", async () => {
    const name = freshLease();
    const a = contender(name, "replica-a", { leaseDurationMs: 30_000, renewDeadlineMs: 20_000 });
    a.elector.start();
    await eventually(() => a.elector.isLeader(), "replica-a leading");
    const b = contender(name, "replica-b", { leaseDurationMs: 30_000, renewDeadlineMs: 20_000 });
    b.elector.start();
    await eventually(() => b.elector.holder() === "replica-a", "replica-b seeing replica-a hold the lease");
    await a.elector.stop();
    expect(a.events).toEqual(["started", "stopped"]);
    expect(a.elector.isLeader()).toBe(false);
    await eventually(() => b.elector.isLeader(), "replica-b leading after the release", 5000, 50);
    expect((await readLease(name)).spec).toMatchObject({ holderIdentity: "replica-b", leaseTransitions: 1 });
  });

  it("gives a deleted lease back to its holder: a follower that saw it renewed waits out the lease duration", async () => {
    const name = freshLease();
    const a = contender(name, "replica-a");
    a.elector.start();
    await eventually(() => a.elector.isLeader(), "replica-a leading");
    // b retries five times as often as a: without the rule it would find the lease gone first and take it.
    const b = contender(name, "replica-b", { retryPeriodMs: 50 });
    b.elector.start();
    await eventually(() => b.elector.holder() === "replica-a", "replica-b seeing replica-a hold the lease");
    await admin().deleteNamespacedLease({ name, namespace: "default" });
    await eventually(async () => (await readLease(name).catch(() => undefined))?.spec?.holderIdentity, "the lease created again");
    await sleep(timings.leaseDurationMs);
    expect((await readLease(name)).spec?.holderIdentity).toBe("replica-a");
    expect(b.events).toEqual([]);
    expect(a.events).toEqual(["started"]);
  });

  it("steps down at once when the lease is found held by another identity", async () => {
    const name = freshLease();
    const a = contender(name, "replica-a", { leaseDurationMs: 30_000, renewDeadlineMs: 20_000 });
    a.elector.start();
    await eventually(() => a.elector.isLeader(), "replica-a leading");
    // Someone (an operator, a partitioned peer's late write) took it over.
    const current = await readLease(name);
    await admin().replaceNamespacedLease({ name, namespace: "default", body: { ...current, spec: { ...current.spec, holderIdentity: "rival", renewTime: new V1MicroTime() } } });
    await eventually(() => a.events.includes("stopped"), "replica-a stepping down", 5000, 50);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.elector.holder()).toBe("rival");
  });

  it("steps down when the API server stops answering, and keeps trying: a request lost in the network does not stall the loop", async () => {
    const name = freshLease();
    const path = await blackHoleable();
    try {
      const a = contender(name, "replica-a", {}, path.url);
      a.elector.start();
      await eventually(() => a.elector.isLeader(), "replica-a leading");
      path.swallow();
      await eventually(() => a.events.includes("stopped"), "replica-a stepping down", 10_000, 50);
      expect(a.elector.isLeader()).toBe(false);
      // The lease itself still names a (its renewals stopped arriving); another contender on a working path takes it once it expires.
      const b = contender(name, "replica-b");
      b.elector.start();
      await eventually(() => b.elector.isLeader(), "replica-b leading", 10_000, 50);
      expect(a.elector.isLeader()).toBe(false);
    } finally {
      await path.close();
    }
  });

  // Last: it takes the API server away.
  it("stops acting within the renew deadline when renewals fail, and steps down", async () => {
    const name = freshLease();
    const a = contender(name, "replica-a");
    a.elector.start();
    await eventually(() => a.elector.isLeader(), "replica-a leading");
    await sandbox.stop();
    // isLeader is judged on the clock: false once the renew deadline has passed since the last successful renewal.
    await eventually(() => !a.elector.isLeader(), "replica-a no longer leading", timings.renewDeadlineMs + 1000, 20);
    await eventually(() => a.events.includes("stopped"), "replica-a stepping down", 5000, 50);
    expect(a.events).toEqual(["started", "stopped"]);
  });
});
