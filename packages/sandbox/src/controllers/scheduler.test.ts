import { afterEach, describe, expect, it } from "vitest";
import { typed, type Node, type Pod } from "./kube-shapes.js";
import { nodeInfos, place, unschedulableMessage } from "./scheduling.js";
import { deploymentInput, eventsFor, isRunningReady, mustCreate, podInput, podsWith, startTestCluster, waitFor, type TestCluster } from "./test-cluster.js";

let cluster: TestCluster | undefined;
afterEach(() => {
  cluster?.stop();
  expect(cluster?.problems ?? []).toEqual([]);
  cluster = undefined;
});

const pod = (c: TestCluster, name: string) => {
  const o = c.store.get("pods", "shop", name);
  return o ? typed<Pod>(o) : undefined;
};

describe("scheduler", () => {
  it("leaves a pod that asks for more CPU than any node has Pending, with the real FailedScheduling message", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "pods", podInput("big", "shop", { cpu: "6" }));
    const event = await waitFor("FailedScheduling", () => eventsFor(c.store, "big", "FailedScheduling")[0]);
    const message = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
    expect(event).toMatchObject({ type: "Warning", message, source: { component: "default-scheduler" } });
    expect(pod(c, "big")?.status?.phase).toBe("Pending");
    expect(pod(c, "big")?.spec?.nodeName).toBeUndefined();
    expect(pod(c, "big")?.status?.conditions?.find((x) => x.type === "PodScheduled")).toMatchObject({ status: "False", reason: "Unschedulable", message });
  });

  it("places no new pod on a cordoned node, and taints it node.kubernetes.io/unschedulable", async () => {
    cluster = startTestCluster({ nodes: [{ name: "node-a", unschedulable: true }, { name: "node-b" }, { name: "node-c" }] });
    const c = cluster;
    mustCreate(c.store, "apps/deployments", deploymentInput("web", "shop", { replicas: 4 }));
    await waitFor("4 running pods", () => podsWith(c.store, "shop", { app: "web" }).filter(isRunningReady).length === 4);
    expect(podsWith(c.store, "shop", { app: "web" }).map((p) => p.spec?.nodeName)).not.toContain("node-a");
    await waitFor("the unschedulable taint", () =>
      typed<Node>(c.store.get("nodes", undefined, "node-a")!).spec?.taints?.find((t) => t.key === "node.kubernetes.io/unschedulable" && t.effect === "NoSchedule"),
    );
  });

  it("binds a Pending pod once a deletion frees room for it", async () => {
    cluster = startTestCluster({ nodes: [{ name: "node-a", cpu: "1" }] });
    const c = cluster;
    mustCreate(c.store, "pods", podInput("first", "shop", { cpu: "800m" }));
    await waitFor("first running", () => pod(c, "first")?.status?.phase === "Running");
    mustCreate(c.store, "pods", podInput("second", "shop", { cpu: "800m" }));
    await waitFor("FailedScheduling", () => eventsFor(c.store, "second", "FailedScheduling")[0]);
    c.store.delete("pods", "shop", "first", { gracePeriodSeconds: 1 });
    await waitFor("second bound", () => pod(c, "second")?.spec?.nodeName === "node-a");
    expect(eventsFor(c.store, "second", "Scheduled")[0]?.message).toBe("Successfully assigned shop/second to node-a");
  });
});

describe("scheduling decisions", () => {
  const node = (name: string, extra: Partial<NonNullable<Node["spec"]>> = {}, cpu = "4"): Node => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: name, resourceVersion: "1", creationTimestamp: "" },
    spec: extra,
    status: { allocatable: { cpu, memory: "16Gi", pods: "110" } },
  });
  const podOf = (cpu: string, owner?: string): Pod => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", uid: "p", resourceVersion: "1", creationTimestamp: "", ...(owner ? { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: owner, uid: owner, controller: true }] } : {}) },
    spec: { containers: [{ name: "c", resources: { requests: { cpu, memory: "1Gi" } } }] },
  });

  it("sorts the reasons of a mixed refusal as the scheduler's histogram does", () => {
    const infos = nodeInfos(
      [node("a", { unschedulable: true }), node("b", { taints: [{ key: "node.kubernetes.io/unreachable", effect: "NoSchedule" }] }), node("c", {}, "1")],
      [],
    );
    const result = place(podOf("2"), infos, () => 0);
    expect(result).toEqual({
      ok: false,
      message:
        "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 1 node(s) were unschedulable. " +
        "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    });
  });

  it("spreads a workload's replicas before filling the emptiest node", () => {
    const busy = { ...podOf("100m", "rs"), spec: { ...podOf("100m", "rs").spec, nodeName: "a" } } as Pod;
    const heavy = { ...podOf("3", "other"), spec: { ...podOf("3", "other").spec, nodeName: "b" } } as Pod;
    const infos = nodeInfos([node("a"), node("b")], [busy, heavy]);
    expect(place(podOf("100m", "rs"), infos, () => 0)).toEqual({ ok: true, node: "b" });
  });

  it("says so when there are no nodes", () => {
    expect(unschedulableMessage(0, [])).toBe("0/0 nodes are available: no nodes available to schedule pods.");
  });
});
