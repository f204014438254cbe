import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { ClusterStore } from "./cluster-store.js";
import { parseLabelSelector } from "./selectors.js";
import type { WatchEvent } from "./types.js";

let store: ClusterStore;
let n = 0;
beforeEach(() => {
  store = new ClusterStore({ now: () => new Date("2026-11-23T10:00:00Z"), newUid: randomUUID, randomSuffix: () => `x${n++}`, historySize: 5 });
  store.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } });
});

const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "shop" }, data });
const ok = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

describe("cluster store", () => {
  it("gives every change a higher resourceVersion and refuses a stale one with a conflict", () => {
    const a = ok(store.create("configmaps", cm("a", { k: "1" })));
    const b = ok(store.update("configmaps", { ...a, data: { k: "2" } }));
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    const stale = store.update("configmaps", { ...a, data: { k: "3" } });
    expect(stale.ok || stale.error.code).toBe("conflict");
    expect(store.get("configmaps", "shop", "a")?.data).toEqual({ k: "2" });
  });

  it("bumps generation on spec changes only, and keeps status out of main-resource writes", () => {
    const d = ok(store.create("apps/deployments", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "shop" }, spec: { replicas: 1 } }));
    const labelled = ok(store.update("apps/deployments", { ...d, metadata: { ...d.metadata, labels: { a: "b" } } }));
    expect(labelled.metadata.generation).toBe(1);
    const scaled = ok(store.update("apps/deployments", { ...labelled, spec: { replicas: 2 }, status: { replicas: 99 } }));
    expect(scaled.metadata.generation).toBe(2);
    expect(scaled.status).toBeUndefined();
    const withStatus = ok(store.update("apps/deployments", { ...scaled, status: { replicas: 2 } }, { subresource: "status" }));
    expect(withStatus.status).toEqual({ replicas: 2 });
    expect(withStatus.metadata.generation).toBe(2);
  });

  it("refuses objects in a namespace that does not exist, and duplicates", () => {
    const missing = store.create("configmaps", { ...cm("a"), metadata: { name: "a", namespace: "nowhere" } });
    expect(missing.ok || missing.error.message).toBe('namespaces "nowhere" not found');
    ok(store.create("configmaps", cm("a")));
    const dup = store.create("configmaps", cm("a"));
    expect(dup.ok || dup.error.code).toBe("already_exists");
  });

  it("does nothing on a dry run", () => {
    const before = store.revision;
    const r = ok(store.create("configmaps", cm("dry"), { dryRun: true }));
    expect(r.metadata.name).toBe("dry");
    expect(store.get("configmaps", "shop", "dry")).toBeUndefined();
    expect(store.revision).toBe(before);
  });

  it("resumes a watch from a revision and answers gone for one older than the kept history", () => {
    const a = ok(store.create("configmaps", cm("a")));
    const from = Number(a.metadata.resourceVersion);
    ok(store.update("configmaps", { ...a, data: { k: "1" } }));
    ok(store.delete("configmaps", "shop", "a"));
    const seen: WatchEvent[] = [];
    const stop = ok(store.watch("configmaps", { sinceRevision: from }, (e) => seen.push(e)));
    expect(seen.map((e) => e.type)).toEqual(["MODIFIED", "DELETED"]);
    stop();
    for (let i = 0; i < 10; i++) ok(store.create("configmaps", cm(`c${i}`)));
    const gone = store.watch("configmaps", { sinceRevision: from }, () => undefined);
    expect(gone.ok || gone.error.code).toBe("gone");
  });

  it("starts a watch without a revision with ADDED for what exists, filtered by selector", () => {
    ok(store.create("configmaps", { ...cm("a"), metadata: { name: "a", namespace: "shop", labels: { app: "web" } } }));
    ok(store.create("configmaps", cm("b")));
    const seen: string[] = [];
    const sel = parseLabelSelector("app=web");
    if (!sel.ok) throw new Error(sel.error);
    ok(store.watch("configmaps", { labelSelector: sel.value }, (e) => seen.push(`${e.type} ${e.object.metadata.name}`)));
    ok(store.create("configmaps", { ...cm("c"), metadata: { name: "c", namespace: "shop", labels: { app: "web" } } }));
    expect(seen).toEqual(["ADDED a", "ADDED c"]);
  });

  it("delivers changes made by a watcher after the change it is reacting to, to every watcher in order", () => {
    const order: string[] = [];
    ok(store.watch("configmaps", {}, (e) => {
      order.push(`first ${e.type} ${e.object.metadata.name}`);
      if (e.object.metadata.name === "a" && e.type === "ADDED") ok(store.create("configmaps", cm("b")));
    }));
    ok(store.watch("configmaps", {}, (e) => order.push(`second ${e.type} ${e.object.metadata.name}`)));
    ok(store.create("configmaps", cm("a")));
    expect(order).toEqual(["first ADDED a", "second ADDED a", "first ADDED b", "second ADDED b"]);
  });

  it("deletes dependents with their owner, or orphans them", () => {
    const owner = ok(store.create("apps/replicasets", { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "rs", namespace: "shop" }, spec: {} }));
    const ref = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: owner.metadata.uid, controller: true };
    ok(store.create("configmaps", { ...cm("dep"), metadata: { name: "dep", namespace: "shop", ownerReferences: [ref] } }));
    ok(store.delete("apps/replicasets", "shop", "rs"));
    expect(store.get("configmaps", "shop", "dep")).toBeUndefined();

    const owner2 = ok(store.create("apps/replicasets", { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "rs2", namespace: "shop" }, spec: {} }));
    ok(store.create("configmaps", { ...cm("kept"), metadata: { name: "kept", namespace: "shop", ownerReferences: [{ ...ref, name: "rs2", uid: owner2.metadata.uid }] } }));
    ok(store.delete("apps/replicasets", "shop", "rs2", { propagationPolicy: "Orphan" }));
    expect(store.get("configmaps", "shop", "kept")?.metadata.ownerReferences).toBeUndefined();
  });

  it("deletes a scheduled pod gracefully and a namespace with everything in it", () => {
    ok(store.create("pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "shop" }, spec: { nodeName: "node-a", containers: [] } }));
    const marked = ok(store.delete("pods", "shop", "p"));
    expect(marked.metadata.deletionTimestamp).toBe("2026-11-23T10:00:30Z");
    expect(store.get("pods", "shop", "p")).toBeDefined();
    store.finalizeDeletion("pods", "shop", "p");
    expect(store.get("pods", "shop", "p")).toBeUndefined();

    ok(store.create("configmaps", cm("x")));
    ok(store.delete("namespaces", undefined, "shop"));
    expect(store.get("configmaps", "shop", "x")).toBeUndefined();
    expect(store.get("namespaces", undefined, "shop")).toBeUndefined();
  });
});

describe("cluster store watch with a selector", () => {
  it("reports an object that stops matching as DELETED and one that starts matching as ADDED", () => {
    const sel = parseLabelSelector("tier=web");
    if (!sel.ok) throw new Error(sel.error);
    const seen: string[] = [];
    ok(store.watch("configmaps", { labelSelector: sel.value }, (e) => seen.push(`${e.type} ${e.object.metadata.name}`)));
    const a = ok(store.create("configmaps", { ...cm("a"), metadata: { name: "a", namespace: "shop", labels: { tier: "db" } } }));
    const b = ok(store.update("configmaps", { ...a, metadata: { ...a.metadata, labels: { tier: "web" } } }));
    const c = ok(store.update("configmaps", { ...b, data: { k: "1" } }));
    ok(store.update("configmaps", { ...c, metadata: { ...c.metadata, labels: { tier: "db" } } }));
    expect(seen).toEqual(["ADDED a", "MODIFIED a", "DELETED a"]);
  });
});
