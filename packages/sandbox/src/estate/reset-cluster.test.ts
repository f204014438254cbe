import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ClusterStore } from "../store/cluster-store.js";
import { RESOURCE_TYPES } from "../store/resources.js";
import { applyEstate } from "./apply-estate.js";
import { buildEstate } from "./build-estate.js";
import { resetCluster } from "./reset-cluster.js";

const START = new Date("2025-03-01T08:00:00.000Z");
const LATER = new Date("2025-03-01T09:30:00.000Z");

function newStore(): ClusterStore {
  return new ClusterStore({ now: () => new Date(), newUid: randomUUID, randomSuffix: () => Math.random().toString(36).slice(2, 7) });
}

/** Every object's kind, namespace and name: what a reset must bring back exactly. */
function inventory(store: ClusterStore): string[] {
  return RESOURCE_TYPES.flatMap((t) => store.list(t.key).items.map((o) => `${t.key} ${o.metadata.namespace ?? ""}/${o.metadata.name}`)).sort();
}

type Condition = { type: string; status: string; lastTransitionTime: string };
const conditionsOf = (store: ClusterStore, node: string) => (store.get("nodes", undefined, node)?.status?.conditions ?? []) as Condition[];

async function damagedStore(): Promise<{ store: ClusterStore; baseline: string[] }> {
  const store = newStore();
  await applyEstate(store, buildEstate("prod", START), { history: false });
  const baseline = inventory(store);

  // What faults and clients leave behind.
  store.mutate("configmaps", "shop", "cart-config", (cm) => {
    delete (cm.data as Record<string, string>).REDIS_ADDR;
  });
  store.mutate("apps/deployments", "shop", "checkout", (d) => {
    (d.spec as { replicas: number }).replicas = 0;
  });
  store.mutate("nodes", undefined, "node-b", (n) => {
    n.spec = { ...n.spec, unschedulable: true, taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }] };
  });
  store.mutate(
    "nodes",
    undefined,
    "node-b",
    (n) => {
      for (const c of (n.status?.conditions ?? []) as Condition[]) if (c.type === "Ready") Object.assign(c, { status: "Unknown", lastTransitionTime: "2025-03-01T09:00:00Z" });
    },
    { subresource: "status" },
  );
  store.delete("nodes", undefined, "node-c");
  store.create("nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "node-x" } });
  store.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "rogue" } });
  const pod = (name: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "dev", ...extra },
    spec: { nodeName: "node-a", containers: [{ name: "miner", image: "docker.io/xmr/miner:latest" }] },
  });
  store.create("pods", pod("miner"));
  store.create("pods", pod("stuck", { finalizers: ["example.com/hold"] }));
  store.delete("pods", "dev", "stuck");
  store.create("persistentvolumeclaims", {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "data-catalog-db-0", namespace: "shop", finalizers: ["kubernetes.io/pvc-protection"] },
    spec: { resources: { requests: { storage: "10Gi" } } },
  });
  return { store, baseline };
}

describe("resetCluster", () => {
  it("brings back exactly the baseline's objects, whatever was added, changed or deleted", async () => {
    const { store, baseline } = await damagedStore();
    expect(inventory(store)).not.toEqual(baseline);

    await resetCluster(store, "prod", { now: LATER, history: false });

    expect(inventory(store)).toEqual(baseline);
    expect((store.get("configmaps", "shop", "cart-config")?.data as Record<string, string>).REDIS_ADDR).toBe("redis-cart.shop.svc.cluster.local:6379");
    expect(store.get("apps/deployments", "shop", "checkout")?.spec?.replicas).toBe(2);
  });

  it("uncordons and untaints the nodes and makes them Ready again, keeping the nodes themselves", async () => {
    const { store } = await damagedStore();
    const uid = store.get("nodes", undefined, "node-b")?.metadata.uid;

    await resetCluster(store, "prod", { now: LATER, history: false });

    const nodeB = store.get("nodes", undefined, "node-b");
    expect(nodeB?.metadata.uid).toBe(uid);
    expect(nodeB?.spec?.unschedulable).toBeUndefined();
    expect(nodeB?.spec?.taints).toBeUndefined();
    const ready = conditionsOf(store, "node-b").find((c) => c.type === "Ready");
    expect(ready).toMatchObject({ status: "True", lastTransitionTime: "2025-03-01T09:30:00Z" });
    // A condition that never changed keeps its transition time, as the kubelet would report it.
    expect(conditionsOf(store, "node-a").find((c) => c.type === "Ready")?.lastTransitionTime).toBe("2025-03-01T08:00:00Z");
    expect(store.get("nodes", undefined, "node-c")?.status?.nodeInfo).toBeDefined();
    expect(store.get("nodes", undefined, "node-x")).toBeUndefined();
  });

  it("leaves no terminating namespace or pod behind", async () => {
    const { store } = await damagedStore();
    await resetCluster(store, "prod", { now: LATER, history: false });
    const terminating = RESOURCE_TYPES.flatMap((t) => store.list(t.key).items.filter((o) => o.metadata.deletionTimestamp).map((o) => `${t.key}/${o.metadata.name}`));
    expect(terminating).toEqual([]);
    expect(store.list("pods", { namespace: "dev" }).items).toEqual([]);
  });
});
