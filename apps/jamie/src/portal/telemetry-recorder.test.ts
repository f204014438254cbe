import { createLogger } from "@autodevops/shared";
import { describe, expect, it } from "vitest";
import { TelemetryRecorder } from "./telemetry-recorder.js";

const log = createLogger({ service: "jamie-test", level: "silent" });
const T0 = Date.parse("2026-11-24T10:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000);

/** A hand-written exposition of cart's traffic and pods, in the sandbox's metric names. */
function exposition(o: { ok: number; errors: number; buckets: [string, number][]; restarts: [number, number]; memory: [number, number] }): string {
  return [
    "# HELP http_requests_total Total HTTP requests served, by status code.",
    "# TYPE http_requests_total counter",
    `http_requests_total{namespace="shop",service="cart",code="200"} ${o.ok}`,
    `http_requests_total{namespace="shop",service="cart",code="503"} ${o.errors}`,
    `http_requests_total{namespace="shop",service="redis-cart",code="200"} ${o.ok * 3}`,
    "# TYPE http_request_duration_seconds histogram",
    ...o.buckets.map(([le, n]) => `http_request_duration_seconds_bucket{namespace="shop",service="cart",le="${le}"} ${n}`),
    `http_request_duration_seconds_count{namespace="shop",service="cart"} ${o.buckets.at(-1)?.[1] ?? 0}`,
    "# TYPE kube_pod_container_status_restarts_total counter",
    `kube_pod_container_status_restarts_total{namespace="shop",pod="cart-7d9f8c6b5-x2k4q",container="cart",uid="u1"} ${o.restarts[0]}`,
    `kube_pod_container_status_restarts_total{namespace="shop",pod="cart-7d9f8c6b5-hjz7m",container="cart",uid="u2"} ${o.restarts[1]}`,
    `kube_pod_container_status_restarts_total{namespace="shop",pod="redis-cart-0",container="redis",uid="u3"} 7`,
    "# TYPE container_memory_working_set_bytes gauge",
    `container_memory_working_set_bytes{namespace="shop",pod="cart-7d9f8c6b5-x2k4q",container="cart"} ${o.memory[0]}`,
    `container_memory_working_set_bytes{namespace="shop",pod="cart-7d9f8c6b5-hjz7m",container="cart"} ${o.memory[1]}`,
    // cAdvisor's pod-level series: the sum of its containers, not to be counted again.
    `container_memory_working_set_bytes{namespace="shop",pod="cart-7d9f8c6b5-x2k4q",container=""} ${o.memory[0]}`,
    `container_memory_working_set_bytes{namespace="shop",pod="redis-cart-0",container="redis"} 999`,
    "",
  ].join("\n");
}

const incident = { cluster: "prod", namespace: "shop", workload: "cart", openedAt: at(0).toISOString() };
const byName = (series: { name: string; points: [number, number][] }[]) => Object.fromEntries(series.map((s) => [s.name, s.points]));

describe("the telemetry recorder's arithmetic", () => {
  it("rates the 5xx share and the p99 from two scrapes' counters, and sums restarts and memory per workload", () => {
    const r = new TelemetryRecorder({ clusters: [], log });
    r.record("prod", exposition({ ok: 100, errors: 0, buckets: [["0.1", 0], ["0.5", 0], ["1", 0], ["+Inf", 0]], restarts: [1, 0], memory: [100, 150] }), at(0));
    // 10 s later: 90 ok and 10 errors (1/s of 10/s); of the 100 timed, 50 within 0.1 s, 90 within 0.5 s, all within 1 s.
    r.record("prod", exposition({ ok: 190, errors: 10, buckets: [["0.1", 50], ["0.5", 90], ["1", 100], ["+Inf", 100]], restarts: [2, 3], memory: [120, 180] }), at(10));
    const s = byName(r.metricsFor(incident, at(20)));
    expect(Object.keys(s)).toEqual(["error rate (5xx share)", "p99 latency", "restarts", "memory working set"]);
    // One scrape alone has nothing to rate: only the second has a point.
    expect(s["error rate (5xx share)"]).toEqual([[at(10).getTime(), 0.1]]);
    // Rank 0.99 × 10/s = 9.9 falls in (0.5, 1] holding 9..10: 0.5 + 0.5 × 0.9 = 0.95 s.
    expect(s["p99 latency"]?.[0]?.[0]).toBe(at(10).getTime());
    expect(s["p99 latency"]?.[0]?.[1]).toBeCloseTo(0.95, 10);
    // redis-cart-0 is not cart's, though its name ends in "cart".
    expect(s.restarts).toEqual([[at(0).getTime(), 1], [at(10).getTime(), 5]]);
    expect(s["memory working set"]).toEqual([[at(0).getTime(), 250], [at(10).getTime(), 300]]);
  });

  it("reads a counter that went down as a restart from zero, not as negative traffic", () => {
    const r = new TelemetryRecorder({ clusters: [], log });
    const b = (n: number): [string, number][] => [["0.1", n], ["+Inf", n]];
    r.record("prod", exposition({ ok: 1000, errors: 100, buckets: b(1000), restarts: [0, 0], memory: [1, 1] }), at(0));
    // The process restarted: counters begin again at 20 ok and 20 errors.
    r.record("prod", exposition({ ok: 20, errors: 20, buckets: b(40), restarts: [0, 0], memory: [1, 1] }), at(10));
    expect(byName(r.metricsFor(incident, at(20)))["error rate (5xx share)"]).toEqual([[at(10).getTime(), 0.5]]);
  });

  it("charts only the incident's window (ten minutes before it opened to two after it resolved)", () => {
    const r = new TelemetryRecorder({ clusters: [], log });
    const e = exposition({ ok: 1, errors: 0, buckets: [["+Inf", 1]], restarts: [4, 0], memory: [1, 1] });
    for (const s of [-900, -300, 0, 300, 700]) r.record("prod", e, at(s));
    const points = byName(r.metricsFor({ ...incident, resolvedAt: at(360).toISOString() }, at(800))).restarts;
    expect(points?.map(([t]) => (t - T0) / 1000)).toEqual([-300, 0, 300]);
    expect(r.metricsFor({ ...incident, cluster: "staging" }, at(800)).every((x) => x.points.length === 0)).toBe(true);
    expect(r.metricsFor({ ...incident, workload: undefined }, at(800))).toEqual([]);
  });

  it("keeps a bounded window: old frames and old counter readings are forgotten", () => {
    const r = new TelemetryRecorder({ clusters: [], log, intervalMs: 5_000, windowMs: 60_000, rateWindowMs: 20_000 });
    for (let s = 0; s < 600; s += 5) r.record("prod", exposition({ ok: s * 10, errors: s, buckets: [["+Inf", s * 11]], restarts: [s, 0], memory: [1, 1] }), at(s));
    const held = r.held().prod;
    expect(held?.frames).toBe(13);
    expect(held?.readings).toBeLessThanOrEqual(6);
    // A clock that jumps back cannot grow it either.
    for (let s = 0; s < 100; s++) r.record("prod", exposition({ ok: 1, errors: 0, buckets: [["+Inf", 1]], restarts: [0, 0], memory: [1, 1] }), at(1000 - s));
    expect(r.held().prod?.frames).toBeLessThanOrEqual(14);
  });
});
