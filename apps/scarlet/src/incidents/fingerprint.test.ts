import { describe, expect, it } from "vitest";
import { fingerprint, workloadOfPod } from "./fingerprint.js";
import { alert, crashloop, errorShare, finding } from "./test-findings.js";

const KNOWN = ["frontend", "checkout", "payments", "cart", "catalog", "redis-cart", "catalog-db"];

describe("fingerprint", () => {
  it("maps a watch finding, an alert with only a pod label and a PromQL check on one workload to one fingerprint", () => {
    const watch = finding({ name: "pod.crashloop", kind: "crashloop", pod: "cart-7d9f8b6c5d-x2x9z" });
    const podOnly = finding({ source: "alertmanager", name: "KubePodCrashLooping", labels: { pod: "cart-7d9f8b6c5d-x2x9z", namespace: "shop" } });
    const byWorkload = alert("KubePodCrashLooping", { namespace: "shop", pod: "cart-7d9f8b6c5d-q4wmt", workload: "cart", node: "node-a" });
    const red = alert("HighErrorRate", { namespace: "shop", service: "cart" });
    const promql = errorShare("cart");
    const fps = new Set([watch, podOnly, byWorkload, red, promql].map((f) => fingerprint(f, KNOWN)));
    expect([...fps]).toEqual(["prod/shop/cart/service"]);
  });

  it("derives the workload from a pod name without known names too", () => {
    expect(fingerprint(finding({ name: "pod.crashloop", pod: "cart-7d9f8b6c5d-x2x9z" }))).toBe("prod/shop/cart/service");
    expect(workloadOfPod("redis-cart-0")).toBe("redis-cart");
    expect(workloadOfPod("node-exporter-x2x9z")).toBe("node-exporter");
    expect(fingerprint(finding({ source: "alertmanager", name: "KubePodNotReady", labels: { created_by_name: "checkout-6b7c9d8f5" } }))).toBe("prod/shop/checkout/service");
  });

  it("names redis-cart's pods redis-cart, not cart", () => {
    expect(fingerprint(crashloop("redis-cart", "redis-cart-0"), KNOWN)).toBe("prod/shop/redis-cart/service");
    expect(fingerprint(finding({ name: "pod.crashloop", pod: "redis-cart-0" }), KNOWN)).toBe("prod/shop/redis-cart/service");
  });

  it("puts a node's trouble on the node whichever signal saw it", () => {
    const watch = finding({ name: "node.not-ready", kind: "node-not-ready", namespace: "", node: "node-b" });
    const stock = alert("KubeNodeNotReady", { node: "node-b" });
    const lostPod = finding({ name: "pod.node-lost", kind: "node-not-ready", workload: "frontend", pod: "frontend-6b7c9d8f5-abcde", node: "node-b" });
    expect(new Set([watch, stock, lostPod].map((f) => fingerprint(f)))).toEqual(new Set(["prod/node:node-b/node"]));
  });

  it("keeps a full volume apart from a crash of the same workload, and clusters apart", () => {
    const disk = finding({ name: "volume.filling", kind: "disk-pressure", workload: "catalog-db" });
    expect(fingerprint(disk)).toBe("prod/shop/catalog-db/storage");
    expect(fingerprint(crashloop("catalog-db", "catalog-db-0"))).toBe("prod/shop/catalog-db/service");
    expect(fingerprint({ ...crashloop("cart", "cart-1"), cluster: "staging" })).toBe("staging/shop/cart/service");
  });
});
