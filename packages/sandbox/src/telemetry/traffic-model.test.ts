import { describe, expect, it } from "vitest";
import { WORKLOADS, workloadsOf } from "../estate/workloads.js";
import type { ServiceModifier } from "./telemetry-modifiers.js";
import { computeTraffic, type ServiceState } from "./traffic-model.js";

const AT = new Date("2026-03-10T12:00:00Z");

function estate(cluster: "prod" | "staging", ready: Record<string, number> = {}, blocked: Record<string, string[]> = {}): ServiceState[] {
  return workloadsOf(cluster).map((w) => ({
    ...(blocked[w.name] ? { unreachableFrom: new Set(blocked[w.name]) } : {}),
    name: w.name,
    namespace: w.namespace,
    calls: w.calls,
    readyPods: ready[w.name] ?? w.replicas,
    cpuLimitMilli: w.name === "catalog-db" ? 2000 : w.resources.limits.cpu === "500m" ? 500 : 1000,
  }));
}

function traffic(
  opts: { cluster?: "prod" | "staging"; ready?: Record<string, number>; blocked?: Record<string, string[]>; mods?: Record<string, ServiceModifier>; at?: Date } = {},
) {
  const t = computeTraffic({
    cluster: opts.cluster ?? "prod",
    at: opts.at ?? AT,
    seed: 7,
    services: estate(opts.cluster ?? "prod", opts.ready, opts.blocked),
    modifierOf: (s) => opts.mods?.[s] ?? {},
  });
  return (s: string) => {
    const v = t.get(s);
    if (!v) throw new Error(`no traffic for ${s}`);
    return { ...v, errors: v.codes["500"] + v.codes["503"] + v.codes["504"] };
  };
}

describe("traffic model", () => {
  it("sends about 50 rps through prod's ingress gateway and about 5 through staging's frontend", () => {
    expect(traffic()("ingress-gateway").rps).toBeGreaterThan(35);
    expect(traffic()("ingress-gateway").rps).toBeLessThan(65);
    expect(traffic({ cluster: "staging" })("frontend").rps).toBeGreaterThan(3.5);
    expect(traffic({ cluster: "staging" })("frontend").rps).toBeLessThan(6.5);
  });

  it("fans a caller's requests out to its dependencies along the call graph", () => {
    const t = traffic();
    expect(t("frontend").rps).toBeCloseTo(t("ingress-gateway").rps, 6);
    expect(t("checkout").rps).toBeCloseTo(t("frontend").rps * 0.08, 6);
    expect(t("catalog").rps).toBeCloseTo(t("frontend").rps * 1.2 + t("report-gen").rps * 4, 6);
    expect(t("redis-cart").rps).toBeCloseTo(t("cart").rps * 2, 6);
  });

  it("gives the same answer for the same seed and time", () => {
    expect(traffic()("catalog")).toEqual(traffic()("catalog"));
  });

  it("raises the callers' 5xx, partially, when redis-cart fails", () => {
    const base = traffic();
    const t = traffic({ mods: { "redis-cart": { errorRate: 0.5 } } });
    expect(t("cart").codes["500"]).toBeGreaterThan(0.3);
    expect(t("cart").codes["500"]).toBeLessThan(0.5 + 0.01);
    expect(t("checkout").errors).toBeGreaterThan(base("checkout").errors + 0.1);
    expect(t("payments").errors).toBeCloseTo(base("payments").errors, 6);
  });

  it("limits a pod-scoped error rate to the share of traffic those pods serve", () => {
    const services = estate("prod").map((s) =>
      s.name === "checkout" ? { ...s, readyPodLabels: [{ app: "checkout", "pod-template-hash": "new" }, { app: "checkout", "pod-template-hash": "old" }] } : s,
    );
    const run = (labels: Record<string, string>) =>
      computeTraffic({ cluster: "prod", at: AT, seed: 7, services, modifierOf: (s) => (s === "checkout" ? { errorRate: 0.6, errorPodLabels: labels } : {}) }).get("checkout");
    expect(run({ "pod-template-hash": "new" })?.codes["500"]).toBeCloseTo(0.3, 2);
    expect(run({ "pod-template-hash": "gone" })?.codes["500"]).toBeLessThan(0.01);
  });

  it("fails the callers' calls with 503 when a service has no ready pods", () => {
    const t = traffic({ ready: { cart: 0 } });
    expect(t("cart").rps).toBe(0);
    expect(t("redis-cart").rps).toBe(0);
    expect(t("checkout").codes["503"]).toBeGreaterThan(0.5);
    expect(t("frontend").codes["503"]).toBeGreaterThan(0);
  });

  it("times out the callers a NetworkPolicy cuts off, while the target sees nothing from them", () => {
    const t = traffic({ blocked: { cart: ["checkout"] } });
    expect(t("cart").rps).toBe(0);
    expect(t("cart").errors).toBeLessThan(0.01);
    expect(t("checkout").codes["504"]).toBeGreaterThan(0.5);
    expect(t("checkout").slowFraction).toBe(1);
    expect(t("frontend").slowFraction).toBeCloseTo(0.08, 6);
    expect(t("frontend").codes["504"]).toBeGreaterThan(0);
  });

  it("adds a dependency's extra latency to its callers", () => {
    const base = traffic();
    const t = traffic({ mods: { payments: { externalLatencyMs: 2000 } } });
    expect(t("payments").latencyMedianMs).toBeGreaterThan(base("payments").latencyMedianMs + 1900);
    expect(t("checkout").latencyMedianMs).toBeGreaterThan(base("checkout").latencyMedianMs + 1500);
    expect(t("cart").latencyMedianMs).toBe(base("cart").latencyMedianMs);
  });

  it("pushes a spiked service past its CPU limit, with queueing latency", () => {
    const base = traffic();
    const t = traffic({ mods: { frontend: { trafficFactor: 4 } } });
    expect(base("frontend").saturation).toBeLessThan(0.6);
    expect(t("frontend").saturation).toBeGreaterThan(1);
    expect(t("frontend").rps).toBeCloseTo(base("frontend").rps * 4, 6);
    expect(t("catalog").rps).toBeGreaterThan(base("catalog").rps * 3);
    expect(t("frontend").latencyMedianMs).toBeGreaterThan(base("frontend").latencyMedianMs * 1.5);
  });

  it("makes report-gen busy during its nightly run only", () => {
    const night = traffic({ at: new Date("2026-03-10T02:10:00Z") })("report-gen");
    expect(night.rps).toBeGreaterThan(traffic()("report-gen").rps * 10);
  });

  it("keeps every service's code fractions summing to one", () => {
    const t = traffic({ ready: { "catalog-db": 0 }, blocked: { cart: ["checkout"] }, mods: { payments: { errorRate: 0.3, clientErrorRate: 0.2 } } });
    for (const w of WORKLOADS) {
      const c = t(w.name).codes;
      expect(c["200"] + c["404"] + c["500"] + c["503"] + c["504"]).toBeCloseTo(1, 9);
    }
  });
});
