import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ClusterStore } from "../store/cluster-store.js";
import type { KubeObject } from "../store/types.js";
import { applyEstate, pollForFirstReplicaSet } from "./apply-estate.js";
import { buildEstate } from "./build-estate.js";

const NOW = new Date("2025-03-01T08:00:00.000Z");

function newStore(): ClusterStore {
  return new ClusterStore({ now: () => new Date(), newUid: randomUUID, randomSuffix: () => Math.random().toString(36).slice(2, 7) });
}

/**
 * Stands in for the deployment controller (built elsewhere): a little after a Deployment
 * appears, it makes that Deployment's first ReplicaSet from its template, annotated revision 1.
 */
function makeFirstReplicaSets(store: ClusterStore, delayMs: number): void {
  const r = store.watch("apps/deployments", {}, (e) => {
    if (e.type !== "ADDED") return;
    const d = e.object;
    setTimeout(() => {
      store.create("apps/replicasets", {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name: `${d.metadata.name}-first`,
          namespace: d.metadata.namespace,
          annotations: { "deployment.kubernetes.io/revision": "1", ...(d.metadata.annotations ?? {}) },
          ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: d.metadata.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: { replicas: d.spec?.replicas, selector: d.spec?.selector, template: structuredClone(d.spec?.template) },
      });
    }, delayMs);
  });
  if (!r.ok) throw new Error(r.error.message);
}

const imageOf = (o: KubeObject | undefined) =>
  ((o?.spec?.template as { spec?: { containers?: Array<{ image?: string }> } } | undefined)?.spec?.containers ?? [])[0]?.image;

describe("applyEstate", () => {
  it("creates every object of the estate in a bare store when the history step is off", async () => {
    const store = newStore();
    const estate = buildEstate("prod", NOW);
    await applyEstate(store, estate, { history: false });

    const count = (key: string) => store.list(key).items.length;
    const expected = (kind: string) => estate.objects.filter((o) => o.kind === kind).length;
    expect(count("namespaces")).toBe(expected("Namespace"));
    expect(count("nodes")).toBe(3);
    expect(count("configmaps")).toBe(expected("ConfigMap"));
    expect(count("services")).toBe(expected("Service"));
    expect(count("apps/statefulsets")).toBe(2);
    expect(count("apps/deployments")).toBe(8);
    expect(imageOf(store.get("apps/deployments", "shop", "checkout"))).toBe("registry.example.com/shop/checkout:1.4.2");
    expect(store.get("nodes", undefined, "node-a")?.status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: "Ready", status: "True" })]));
  });

  it("creates objects in dependency order whatever order the estate lists them in", async () => {
    const store = newStore();
    const estate = buildEstate("staging", NOW);
    await applyEstate(store, { ...estate, objects: [...estate.objects].reverse() }, { history: false });
    expect(store.get("configmaps", "shop", "cart-config")).toBeDefined();
  });

  it("moves each Deployment from revision 1 to the current one only after revision 1's ReplicaSet exists", async () => {
    const store = newStore();
    makeFirstReplicaSets(store, 30);
    await applyEstate(store, buildEstate("prod", NOW));

    const checkout = store.get("apps/deployments", "shop", "checkout");
    expect(imageOf(checkout)).toBe("registry.example.com/shop/checkout:1.4.2");
    expect(checkout?.spec?.replicas).toBe(2);
    expect(checkout?.metadata.annotations?.["kubernetes.io/change-cause"]).toBe("deploy 1.4.2");
    expect(checkout?.metadata.generation).toBe(2);

    // The ReplicaSet was cut from the template as it stood then: revision 1's.
    const first = store.get("apps/replicasets", "shop", "checkout-first");
    expect(imageOf(first)).toBe("registry.example.com/shop/checkout:1.4.1");
    expect(first?.metadata.annotations?.["kubernetes.io/change-cause"]).toBe("deploy 1.4.1");
    expect(first?.spec?.replicas).toBe(0);
    expect(imageOf(store.get("apps/replicasets", "kube-system", "coredns-first"))).toBe("registry.k8s.io/coredns/coredns:v1.11.1");
  });

  it("fails naming the Deployment when the deployment controller never makes its ReplicaSet", async () => {
    const store = newStore();
    const apply = applyEstate(store, buildEstate("staging", NOW), { waitForRevision: pollForFirstReplicaSet(store, { timeoutMs: 100 }) });
    await expect(apply).rejects.toThrow(/deployment (shop|kube-system)\/[a-z-]+ has no ReplicaSet .*deployment controller running/);
  });

  it("refuses to apply an estate over one that is already there", async () => {
    const store = newStore();
    await applyEstate(store, buildEstate("staging", NOW), { history: false });
    await expect(applyEstate(store, buildEstate("staging", NOW), { history: false })).rejects.toThrow(/cannot create Node node-a: .*already exists/);
  });
});
