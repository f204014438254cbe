import { afterEach, describe, expect, it } from "vitest";
import { typed, type Deployment, type Pod } from "./kube-shapes.js";
import { podsToDelete } from "./pod-ranking.js";
import { deploymentInput, eventsFor, isRunningReady, mustCreate, podsWith, startTestCluster, waitFor, type TestCluster } from "./test-cluster.js";

let cluster: TestCluster | undefined;
afterEach(() => {
  cluster?.stop();
  expect(cluster?.problems ?? []).toEqual([]);
  cluster = undefined;
});

const quota = (hard: Record<string, string>) => ({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "compute", namespace: "shop" }, spec: { hard } });

describe("replicaset controller and quota", () => {
  it("stops creating pods at a ResourceQuota with FailedCreate 'exceeded quota', and goes on once it is raised", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "resourcequotas", quota({ pods: "2", "requests.cpu": "4" }));
    mustCreate(c.store, "apps/deployments", deploymentInput("web", "shop", { replicas: 3 }));
    const failed = await waitFor("FailedCreate", () =>
      c.store.list("events", { namespace: "shop" }).items.find((e) => e.reason === "FailedCreate"),
    );
    expect(failed.type).toBe("Warning");
    expect(failed.message).toMatch(
      /^Error creating: pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2$/,
    );
    await waitFor("the quota's usage", () => (c.store.get("resourcequotas", "shop", "compute")?.status as { used?: Record<string, string> })?.used?.pods === "2");
    expect(c.store.get("resourcequotas", "shop", "compute")?.status).toEqual({ hard: { pods: "2", "requests.cpu": "4" }, used: { pods: "2", "requests.cpu": "200m" } });
    await waitFor("ReplicaFailure on the deployment", () =>
      typed<Deployment>(c.store.get("apps/deployments", "shop", "web")!).status?.conditions?.find((x) => x.type === "ReplicaFailure" && x.reason === "FailedCreate"),
    );
    expect(podsWith(c.store, "shop", { app: "web" })).toHaveLength(2);

    c.store.mutate("resourcequotas", "shop", "compute", (o) => void (o.spec = { hard: { pods: "10", "requests.cpu": "4" } }));
    await waitFor("3 running pods", () => podsWith(c.store, "shop", { app: "web" }).filter(isRunningReady).length === 3);
    await waitFor("ReplicaFailure gone", () =>
      !typed<Deployment>(c.store.get("apps/deployments", "shop", "web")!).status?.conditions?.some((x) => x.type === "ReplicaFailure"),
    );
  });

  it("refuses pods without the requests a quota needs, naming the containers", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "resourcequotas", quota({ "limits.cpu": "4" }));
    mustCreate(c.store, "apps/deployments", deploymentInput("api", "shop", { replicas: 1 }));
    const failed = await waitFor("FailedCreate", () => c.store.list("events", { namespace: "shop" }).items.find((e) => e.reason === "FailedCreate"));
    expect(failed.message).toMatch(/is forbidden: failed quota: compute: must specify limits\.cpu for: api$/);
  });

  it("replaces a deleted pod with SuccessfulCreate", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "apps/deployments", deploymentInput("cart", "shop", { replicas: 2 }));
    await waitFor("2 running", () => podsWith(c.store, "shop", { app: "cart" }).filter(isRunningReady).length === 2);
    const [victim] = podsWith(c.store, "shop", { app: "cart" });
    c.store.delete("pods", "shop", victim!.metadata.name);
    await waitFor("a replacement", () => podsWith(c.store, "shop", { app: "cart" }).filter(isRunningReady).length === 2 && !podsWith(c.store, "shop", { app: "cart" }).some((p) => p.metadata.name === victim!.metadata.name));
    const rsName = victim!.metadata.ownerReferences?.[0]?.name ?? "";
    expect(eventsFor(c.store, rsName, "SuccessfulCreate")).toHaveLength(3);
  });
});

describe("which pods a scale-down removes", () => {
  const p = (name: string, o: { node?: string; phase?: string; ready?: boolean; restarts?: number; created?: string }): Pod => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, uid: name, resourceVersion: "1", creationTimestamp: o.created ?? "2024-01-01T00:00:00Z" },
    spec: { ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: (o.phase ?? "Running") as "Running",
      conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True", lastTransitionTime: "2024-01-01T00:00:00Z" }],
      containerStatuses: [{ name: "c", state: {}, lastState: {}, ready: true, restartCount: o.restarts ?? 0, image: "", imageID: "" }],
    },
  });

  it("prefers unscheduled, then pending, then not-ready, then restarting, then newer pods", () => {
    const pods = [
      p("old-ready", { node: "a", created: "2024-01-01T00:00:00Z" }),
      p("new-ready", { node: "a", created: "2024-01-02T00:00:00Z" }),
      p("restarting", { node: "a", restarts: 4 }),
      p("not-ready", { node: "a", ready: false }),
      p("pending", { node: "a", phase: "Pending", ready: false }),
      p("unscheduled", { phase: "Pending", ready: false }),
    ];
    expect(podsToDelete(pods, 6).map((x) => x.metadata.name)).toEqual(["unscheduled", "pending", "not-ready", "restarting", "new-ready", "old-ready"]);
  });
});
