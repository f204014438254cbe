import { afterEach, describe, expect, it } from "vitest";
import { createDefaultBehaviour } from "./container-behaviour.js";
import { deploymentInput, isRunningReady, mustCreate, podsWith, startTestCluster, waitFor, type TestCluster } from "./test-cluster.js";

let cluster: TestCluster | undefined;
afterEach(() => {
  cluster?.stop();
  expect(cluster?.problems ?? []).toEqual([]);
  cluster = undefined;
});

type Subset = { addresses?: { ip: string; targetRef: { name: string } }[]; notReadyAddresses?: { ip: string; targetRef: { name: string } }[]; ports: unknown[] };
const subsets = (c: TestCluster, name: string) => (c.store.get("endpoints", "shop", name)?.subsets as Subset[] | undefined) ?? [];
const ready = (c: TestCluster, name: string) => subsets(c, name).flatMap((s) => s.addresses ?? []).map((a) => a.targetRef.name).sort();
const notReady = (c: TestCluster, name: string) => subsets(c, name).flatMap((s) => s.notReadyAddresses ?? []).map((a) => a.targetRef.name).sort();

describe("endpoints controller", () => {
  it("lists a Service's ready pods as addresses and moves a pod that fails readiness to notReadyAddresses", async () => {
    const base = createDefaultBehaviour({ random: Math.random });
    let sick = "";
    cluster = startTestCluster({
      behaviour: { ...base, probe: (ctx, kind, probe) => (kind === "readiness" && ctx.pod.metadata.name === sick ? { ok: false, message: "HTTP probe failed with statuscode: 503" } : base.probe(ctx, kind, probe)) },
    });
    const c = cluster;
    mustCreate(c.store, "services", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "shop", labels: { app: "web" } },
      spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
    });
    mustCreate(c.store, "apps/deployments", deploymentInput("web", "shop", { replicas: 2 }));
    await waitFor("2 pods running", () => podsWith(c.store, "shop", { app: "web" }).filter(isRunningReady).length === 2);
    await waitFor("2 ready addresses", () => ready(c, "web").length === 2);
    expect(subsets(c, "web")[0]?.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
    const pods = podsWith(c.store, "shop", { app: "web" });
    expect(subsets(c, "web")[0]?.addresses?.map((a) => a.ip).sort()).toEqual(pods.map((p) => p.status?.podIP).sort());

    sick = pods[0]!.metadata.name;
    await waitFor("the sick pod not ready", () => notReady(c, "web").includes(sick));
    expect(ready(c, "web")).toEqual([pods[1]!.metadata.name]);
    sick = "";
    await waitFor("both ready again", () => ready(c, "web").length === 2);
  });

  it("leaves the Endpoints of a Service without a selector alone", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "services", { apiVersion: "v1", kind: "Service", metadata: { name: "external", namespace: "shop" }, spec: { ports: [{ port: 443 }] } });
    mustCreate(c.store, "endpoints", { apiVersion: "v1", kind: "Endpoints", metadata: { name: "external", namespace: "shop" }, subsets: [{ addresses: [{ ip: "192.0.2.10" }], ports: [{ port: 443 }] }] });
    mustCreate(c.store, "apps/deployments", deploymentInput("web", "shop", { replicas: 1 }));
    await waitFor("a running pod", () => podsWith(c.store, "shop", { app: "web" }).some(isRunningReady));
    expect(c.store.get("endpoints", "shop", "external")?.subsets).toEqual([{ addresses: [{ ip: "192.0.2.10" }], ports: [{ port: 443 }] }]);
  });
});
