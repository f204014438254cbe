import { afterEach, describe, expect, it } from "vitest";
import { typed, type Node, type Pod } from "./kube-shapes.js";
import { evictionDue } from "./taint-eviction.js";
import { eventsFor, isRunningReady, mustCreate, podInput, startTestCluster, waitFor, type TestCluster } from "./test-cluster.js";

let cluster: TestCluster | undefined;
afterEach(() => {
  cluster?.stop();
  expect(cluster?.problems ?? []).toEqual([]);
  cluster = undefined;
});

const node = (c: TestCluster, name: string) => typed<Node>(c.store.get("nodes", undefined, name)!);
const ready = (c: TestCluster, name: string) => node(c, name).status?.conditions?.find((x) => x.type === "Ready");
const pod = (c: TestCluster, name: string) => {
  const o = c.store.get("pods", "shop", name);
  return o ? typed<Pod>(o) : undefined;
};

describe("node lifecycle", () => {
  it("keeps healthy nodes Ready with moving heartbeats and node leases", async () => {
    cluster = startTestCluster();
    const c = cluster;
    const lease = await waitFor("node-a's lease", () => c.store.get("coordination.k8s.io/leases", "kube-node-lease", "node-a"));
    expect(lease.spec).toMatchObject({ holderIdentity: "node-a", leaseDurationSeconds: 40 });
    expect(node(c, "node-a").status?.conditions?.map((x) => `${x.type}=${x.status}:${x.reason}`)).toEqual([
      "MemoryPressure=False:KubeletHasSufficientMemory",
      "DiskPressure=False:KubeletHasNoDiskPressure",
      "PIDPressure=False:KubeletHasSufficientPID",
      "Ready=True:KubeletReady",
    ]);
    expect(node(c, "node-a").status?.nodeInfo?.kubeletVersion).toMatch(/^v1\./);
  });

  it("marks a silent node Unknown after the grace period, taints it unreachable and its pods not ready, then recovers", async () => {
    cluster = startTestCluster({ nodes: [{ name: "node-a" }] });
    const c = cluster;
    mustCreate(c.store, "pods", podInput("web", "shop"));
    await waitFor("web ready", () => isRunningReady(pod(c, "web")!));
    c.controllers.nodeHealth.setHealth("node-a", "Unreachable");
    await waitFor("Ready=Unknown", () => ready(c, "node-a")?.status === "Unknown", 15_000);
    expect(ready(c, "node-a")).toMatchObject({ reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." });
    await waitFor("unreachable taints", () => node(c, "node-a").spec?.taints?.filter((t) => t.key === "node.kubernetes.io/unreachable").length === 2);
    await waitFor("web not ready", () => pod(c, "web")?.status?.conditions?.find((x) => x.type === "Ready")?.status === "False");
    expect(eventsFor(c.store, "node-a", "NodeNotReady")[0]?.message).toBe("Node node-a status is now: NodeNotReady");
    expect(eventsFor(c.store, "web", "NodeNotReady")[0]).toMatchObject({ type: "Warning", message: "Node is not ready" });

    c.controllers.nodeHealth.setHealth("node-a", "Ready");
    await waitFor("Ready=True", () => ready(c, "node-a")?.status === "True");
    await waitFor("taints gone", () => !node(c, "node-a").spec?.taints?.length);
    await waitFor("web ready again", () => isRunningReady(pod(c, "web")!));
  });

  it("reports a kubelet whose runtime is down as NotReady and taints the node not-ready", async () => {
    cluster = startTestCluster({ nodes: [{ name: "node-a" }] });
    const c = cluster;
    await waitFor("a lease", () => c.store.get("coordination.k8s.io/leases", "kube-node-lease", "node-a"));
    c.controllers.nodeHealth.setHealth("node-a", "NotReady");
    await waitFor("Ready=False", () => ready(c, "node-a")?.status === "False");
    expect(ready(c, "node-a")?.reason).toBe("KubeletNotReady");
    await waitFor("not-ready NoExecute taint", () => node(c, "node-a").spec?.taints?.find((t) => t.key === "node.kubernetes.io/not-ready" && t.effect === "NoExecute"));
  });

  it("evicts pods from an unreachable node once their toleration runs out, leaving them Terminating as NodeLost", async () => {
    cluster = startTestCluster({ nodes: [{ name: "node-a" }] });
    const c = cluster;
    const input = podInput("short", "shop");
    (input.spec as { tolerations: unknown[] }).tolerations = [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 5 }];
    mustCreate(c.store, "pods", input);
    await waitFor("short ready", () => isRunningReady(pod(c, "short")!));
    c.controllers.nodeHealth.setHealth("node-a", "Unreachable");
    await waitFor("the eviction", () => pod(c, "short")?.metadata.deletionTimestamp, 15_000);
    expect(pod(c, "short")?.status).toMatchObject({ reason: "NodeLost", message: "Node node-a which was running pod short is unresponsive" });
    expect(eventsFor(c.store, "short", "TaintManagerEviction")[0]?.message).toBe("Marking for deletion Pod shop/short");
  });
});

describe("when a pod must leave a tainted node", () => {
  const at = "2024-01-01T00:00:00Z";
  const start = Date.parse(at);
  it("gives an untolerated NoExecute taint no time, a bounded toleration its (compressed) seconds, an unbounded one forever", () => {
    const taint = { key: "example.com/broken", effect: "NoExecute" as const, timeAdded: at };
    expect(evictionDue([taint], [], start + 5)).toBe(start + 5);
    expect(evictionDue([taint], [{ key: "example.com/broken", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }], start)).toBe(start + 6000);
    expect(evictionDue([taint], [{ operator: "Exists" }], start)).toBeUndefined();
  });

  it("gives pods the default 300 s for not-ready and unreachable nodes", () => {
    expect(evictionDue([{ key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: at }], undefined, start)).toBe(start + 30_000);
  });
});
