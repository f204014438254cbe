import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pod } from "../controllers/kube-shapes.js";
import { waitFor } from "../controllers/test-cluster.js";
import { startFaultCluster, type FaultTestCluster } from "./fault-test-cluster.js";

let c: FaultTestCluster;
beforeAll(async () => {
  c = await startFaultCluster();
}, 60_000);
afterAll(async () => {
  await c?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("hung-replica", () => {
  it("leaves one pod Running but not Ready with silent logs, until that pod is deleted", async () => {
    const id = c.inject({ kind: "hung-replica", namespace: "shop", target: "frontend" });
    const hung = [...c.statuses("frontend")].sort((a, b) => a.pod.metadata.name.localeCompare(b.pod.metadata.name))[0]?.pod.metadata.name ?? "";

    await waitFor("the hung pod not Ready", () => c.statuses("frontend").find((s) => s.pod.metadata.name === hung && s.status?.ready === false));
    const hungStatus = c.statuses("frontend").find((s) => s.pod.metadata.name === hung)?.status;
    expect(hungStatus?.state?.running).toBeDefined();
    expect(hungStatus?.restartCount).toBe(0);
    expect(c.statuses("frontend").filter((s) => s.status?.ready).length).toBe(2);
    expect(c.metric("kube_pod_status_ready", { namespace: "shop", pod: hung, condition: "false" })[0]?.value).toBe(1);
    // The endpoints controller follows the Ready condition a moment later.
    type Subsets = { subsets?: { addresses?: { targetRef?: { name?: string } }[] }[] };
    const serving = () => ((c.store.get("endpoints", "shop", "frontend") as Subsets | undefined)?.subsets ?? []).flatMap((x) => x.addresses ?? []).map((a) => a.targetRef?.name);
    await waitFor("the hung pod out of frontend's endpoints", () => !serving().includes(hung) && serving().length === 2);
    const lines = () => c.logs.read("shop", hung, "frontend") ?? [];
    const count = lines().length;
    expect(lines().at(-1)?.text).toMatch(/worker pool exhausted/);
    await sleep(1_500);
    expect(lines().length).toBe(count);

    // Deleting a healthy sibling does nothing for the hung one.
    const sibling = c.statuses("frontend").find((s) => s.pod.metadata.name !== hung)?.pod.metadata.name ?? "";
    await c.kubectl(["delete", "pod", sibling, "--wait=false"]);
    await sleep(300);
    expect(c.fault(id)?.cured).toBe(false);

    await c.kubectl(["delete", "pod", hung, "--wait=false"], "scarlet");
    const cured = await waitFor("hung-replica cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe("system:serviceaccount:autodevops:scarlet");
    await waitFor("frontend fully Ready", () => c.rolledOut("frontend"), 20_000);
  }, 40_000);
});

describe("dependency-down", () => {
  it("crashes the target, restarting its callers does not cure, restarting the target does", async () => {
    const before = c.statuses("redis-cart")[0]?.status?.restartCount ?? 0;
    const id = c.inject({ kind: "dependency-down", namespace: "shop", target: "redis-cart" });
    await waitFor("redis-cart-0 crashing", () => c.statuses("redis-cart").find((s) => (s.status?.restartCount ?? 0) > before));
    expect(c.logs.read("shop", "redis-cart-0", "redis-cart", { previous: true })?.at(-1)?.text).toMatch(/^FATAL/);
    // Its callers alert too: cart fails while redis-cart is down, and cart's traces show the failed calls.
    await waitFor("cart failing while redis-cart is down", () => c.serverErrors("cart") > 0.2);
    expect(c.metric("kube_statefulset_status_replicas_ready", { namespace: "shop", statefulset: "redis-cart" })[0]?.value).toBe(0);
    await waitFor("failed redis-cart calls in cart's traces", () =>
      c.spans(600_000, (s) => s.service === "cart" && s.attributes["peer.service"] === "redis-cart" && s.error).length > 0,
    );

    await c.kubectl(["rollout", "restart", "deployment/cart"]);
    await sleep(500);
    expect(c.fault(id)?.cured).toBe(false);

    await c.kubectl(["delete", "pod", "redis-cart-0", "--wait=false"], "scarlet");
    const cured = await waitFor("dependency-down cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe("system:serviceaccount:autodevops:scarlet");
    await waitFor("a fresh redis-cart-0 Ready", () => c.statuses("redis-cart").find((s) => s.status?.ready === true && s.status.restartCount === 0), 20_000);
  }, 40_000);
});

describe("node-not-ready", () => {
  it("takes the node's kubelet away; cordoning alone does not cure, cordon and drain does", async () => {
    const node = "node-b";
    const id = c.inject({ kind: "node-not-ready", target: node });
    await waitFor("node-b Ready condition not True", () => {
      const conditions = (c.store.get("nodes", undefined, node)?.status?.conditions ?? []) as { type: string; status: string }[];
      return conditions.some((x) => x.type === "Ready" && x.status !== "True");
    });

    await waitFor("kube-state-metrics shows node-b not Ready", () =>
      c.metric("kube_node_status_condition", { node, condition: "Ready", status: "true" })[0]?.value === 0,
    );
    await c.kubectl(["cordon", node], "scarlet");
    await sleep(300);
    const onNode = (o: { spec?: Record<string, unknown> }) => (o as unknown as Pod).spec?.nodeName === node;
    if (c.store.list("pods").items.some((p) => onNode(p) && !p.metadata.deletionTimestamp && !p.metadata.ownerReferences?.some((r) => r.kind === "DaemonSet"))) {
      expect(c.fault(id)?.cured).toBe(false);
    }

    // The kubelet is gone, so evicted pods stay Terminating and drain gives up waiting: the evictions are what count.
    await c.kubectl(["drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--force", "--timeout=3s"], "scarlet").catch(() => undefined);
    const cured = await waitFor("node-not-ready cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe("system:serviceaccount:autodevops:scarlet");
    // A real node stays broken after a drain; clearing the fault is what brings it back.
    expect(c.nodeHealth.health(node)).toBe("NotReady");
    c.registry.clear(id);
    expect(c.nodeHealth.health(node)).toBe("Ready");
  }, 40_000);
});
