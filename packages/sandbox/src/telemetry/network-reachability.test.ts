import { describe, expect, it } from "vitest";
import type { KubeObject } from "../store/types.js";
import { unreachableCallers, type PolicySubject } from "./network-reachability.js";

const svc = (name: string, namespace: string, calls: string[] = []): PolicySubject => ({ name, namespace, podLabels: { app: name }, calls });
const SERVICES = [svc("checkout", "shop", ["cart"]), svc("cart", "shop", ["redis-cart"]), svc("redis-cart", "shop"), svc("report-gen", "batch", ["catalog"]), svc("catalog", "shop")];
const NAMESPACES = ["shop", "batch"].map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, uid: name, resourceVersion: "1", creationTimestamp: "" } }));

function policy(namespace: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "p", namespace, uid: "u", resourceVersion: "1", creationTimestamp: "" }, spec };
}

describe("NetworkPolicy reachability", () => {
  it("admits every caller when no policy selects the target", () => {
    expect(unreachableCallers(SERVICES, [], NAMESPACES).size).toBe(0);
  });

  it("cuts every caller off from a target selected by a policy with no ingress rules", () => {
    const blocked = unreachableCallers(SERVICES, [policy("shop", { podSelector: { matchLabels: { app: "redis-cart" } }, policyTypes: ["Ingress"] })], NAMESPACES);
    expect([...(blocked.get("redis-cart") ?? [])]).toEqual(["cart"]);
    expect(blocked.has("cart")).toBe(false);
  });

  it("admits a caller a rule names, and not one from another namespace", () => {
    const p = policy("shop", {
      podSelector: {},
      ingress: [{ from: [{ podSelector: { matchLabels: { app: "checkout" } } }, { podSelector: { matchLabels: { app: "cart" } } }] }],
    });
    const blocked = unreachableCallers(SERVICES, [p], NAMESPACES);
    expect(blocked.has("cart")).toBe(false);
    expect(blocked.has("redis-cart")).toBe(false);
    expect([...(blocked.get("catalog") ?? [])]).toEqual(["report-gen"]);
  });

  it("admits callers from a namespace a namespaceSelector names", () => {
    const p = policy("shop", { podSelector: { matchLabels: { app: "catalog" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "batch" } } }] }] });
    expect(unreachableCallers(SERVICES, [p], NAMESPACES).size).toBe(0);
  });
});
