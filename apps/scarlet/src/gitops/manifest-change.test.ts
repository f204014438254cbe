import { describe, expect, it } from "vitest";
import type { Action } from "@autodevops/shared";
import { desiredStateOf, editManifest, findManifest, shows } from "./manifest-change.js";

const checkout = `# checkout: the shop's payment front
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: shop
spec:
  replicas: 2 # two for the PDB
  template:
    spec:
      containers:
        - name: app
          image: shop/checkout:1.4.2
          resources:
            limits: { memory: 256Mi, cpu: 500m }
        - name: sidecar
          image: envoy:1.30
---
apiVersion: v1
kind: Service
metadata:
  name: checkout
  namespace: shop
`;
const action = <A extends Action>(a: Omit<A, "cluster" | "namespace" | "target">) => ({ cluster: "prod", namespace: "shop", target: "checkout", ...a }) as A;

describe("GitOps manifest changes", () => {
  it("finds the document that declares the workload, and refuses an ambiguous or missing one", () => {
    const files = [
      { path: "apps/shop/checkout.yaml", text: checkout },
      { path: "apps/shop/other.yaml", text: "kind: Deployment\nmetadata:\n  name: cart\n  namespace: shop\n" },
      { path: "broken.yaml", text: "kind: [unclosed" },
    ];
    expect(findManifest(files, "Deployment", "shop", "checkout")).toEqual({ ok: true, value: { path: "apps/shop/checkout.yaml", document: 0 } });
    expect(findManifest(files, "Deployment", "shop", "payments")).toMatchObject({ ok: false, error: "no manifest declares Deployment shop/payments" });
    const twice = [...files, { path: "base/checkout.yaml", text: checkout }];
    expect(findManifest(twice, "Deployment", "shop", "checkout")).toMatchObject({ ok: false, error: expect.stringContaining("declared 2 times") });
    // A kustomize base names no namespace: one such document is the workload's.
    const base = [{ path: "base/deploy.yaml", text: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: checkout\n" }];
    expect(findManifest(base, "Deployment", "shop", "checkout")).toEqual({ ok: true, value: { path: "base/deploy.yaml", document: 0 } });
  });

  it("writes replicas, limits and images into the manifest and keeps its comments and other documents", () => {
    const scale = desiredStateOf(action({ kind: "scale", params: { replicas: 4, workloadKind: "Deployment" } }), "Deployment");
    if (!scale.ok) throw new Error(scale.error);
    const scaled = editManifest(checkout, { path: "x", document: 0 }, scale.value);
    expect(scaled.ok && scaled.value).toContain("replicas: 4 # two for the PDB");
    expect(scaled.ok && scaled.value).toContain("# checkout: the shop's payment front");
    expect(scaled.ok && scaled.value).toContain("kind: Service");

    const limits = desiredStateOf(action({ kind: "set-resources", params: { container: "app", limits: { memory: "512Mi" } } }), "Deployment");
    if (!limits.ok) throw new Error(limits.error);
    const raised = editManifest(checkout, { path: "x", document: 0 }, limits.value);
    if (!raised.ok) throw new Error(raised.error);
    expect(raised.value).toMatch(/memory: 512Mi/);
    expect(raised.value).toMatch(/cpu: 500m/);
    expect(shows(raised.value.split("---")[0] ?? "", limits.value)).toMatchObject({ ok: true });

    const back = desiredStateOf(action({ kind: "rollback", params: {} }), "Deployment", [{ name: "app", image: "shop/checkout:1.4.1" }, { name: "sidecar", image: "envoy:1.30" }]);
    if (!back.ok) throw new Error(back.error);
    const rolled = editManifest(checkout, { path: "x", document: 0 }, back.value);
    expect(rolled.ok && rolled.value).toContain("image: shop/checkout:1.4.1");
    expect(rolled.ok && rolled.value.split("\n").filter((l) => l.includes("image:")).length).toBe(2);
  });

  it("has no manifest form for operations on what runs, nor for an unknown revision or container", () => {
    expect(desiredStateOf(action({ kind: "rollout-restart", params: { workloadKind: "Deployment" } }), "Deployment")).toMatchObject({ ok: false });
    expect(desiredStateOf(action({ kind: "delete-pod", params: { pod: "checkout-1" } }), "Deployment")).toMatchObject({ ok: false });
    expect(desiredStateOf(action({ kind: "rollback", params: {} }), "Deployment", [])).toMatchObject({ ok: false });
    expect(desiredStateOf(action({ kind: "scale", params: { replicas: 3, workloadKind: "Deployment" } }), "DaemonSet")).toMatchObject({ ok: false });
    const ghost = editManifest(checkout, { path: "x", document: 0 }, { kind: "Deployment", containers: [{ name: "ghost", image: "x" }] });
    expect(ghost).toMatchObject({ ok: false, error: "the manifest has no container ghost" });
  });

  it("tells whether the live object runs the change, comparing quantities by value", () => {
    const live = { spec: { replicas: 2, template: { spec: { containers: [{ name: "app", image: "shop/checkout:1.4.2", resources: { limits: { memory: "0.25Gi" } } }] } } } };
    expect(shows(live, { kind: "Deployment", replicas: 4 })).toEqual({ ok: false, detail: "replicas 2, not yet 4" });
    expect(shows(live, { kind: "Deployment", containers: [{ name: "app", limits: { memory: "256Mi" } }] })).toMatchObject({ ok: true });
    expect(shows(live, { kind: "Deployment", containers: [{ name: "app", image: "shop/checkout:1.4.1" }] })).toMatchObject({ ok: false, detail: "container app runs shop/checkout:1.4.2, not yet shop/checkout:1.4.1" });
  });
});
