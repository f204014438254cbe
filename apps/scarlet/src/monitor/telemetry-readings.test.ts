import { describe, expect, it } from "vitest";
import { parseExposition } from "./exposition.js";
import { readingsFromScrape } from "./sandbox-metrics-source.js";
import { toObservations, workloadOfPod } from "./telemetry-readings.js";

describe("workloadOfPod", () => {
  it("takes the workload from the pod's creator when known, else from its name", () => {
    expect(workloadOfPod("frontend-7d4b9c-x2x9z", { kind: "ReplicaSet", name: "frontend-7d4b9c" })).toBe("frontend");
    expect(workloadOfPod("node-exporter-x2x9z", { kind: "DaemonSet", name: "node-exporter" })).toBe("node-exporter");
    expect(workloadOfPod("frontend-7d4b9c-x2x9z")).toBe("frontend");
    expect(workloadOfPod("catalog-db-0")).toBe("catalog-db");
    expect(workloadOfPod("catalog-db-0", { kind: "<none>", name: "<none>" })).toBe("catalog-db");
    expect(workloadOfPod("debug")).toBe("debug");
  });
});

const scrape = (t: { ok200: number; e500: number; b01: number; b05: number; inf: number; thr: number; per: number; cpu: number }) => `
kube_pod_info{namespace="shop",pod="checkout-5f6d7c8b9-abcde",created_by_kind="ReplicaSet",created_by_name="checkout-5f6d7c8b9",node="n1"} 1
kube_pod_info{namespace="shop",pod="catalog-db-0",created_by_kind="StatefulSet",created_by_name="catalog-db",node="n1"} 1
container_memory_working_set_bytes{namespace="shop",pod="checkout-5f6d7c8b9-abcde",container="checkout"} 100
container_spec_memory_limit_bytes{namespace="shop",pod="checkout-5f6d7c8b9-abcde",container="checkout"} 400
container_memory_working_set_bytes{namespace="shop",pod="catalog-db-0",container="db"} 50
container_spec_memory_limit_bytes{namespace="shop",pod="catalog-db-0",container="db"} 0
kubelet_volume_stats_used_bytes{namespace="shop",persistentvolumeclaim="data-catalog-db-0"} 90
kubelet_volume_stats_capacity_bytes{namespace="shop",persistentvolumeclaim="data-catalog-db-0"} 100
http_requests_total{namespace="shop",service="checkout",code="200"} ${t.ok200}
http_requests_total{namespace="shop",service="checkout",code="500"} ${t.e500}
http_request_duration_seconds_bucket{namespace="shop",service="checkout",le="0.1"} ${t.b01}
http_request_duration_seconds_bucket{namespace="shop",service="checkout",le="0.5"} ${t.b05}
http_request_duration_seconds_bucket{namespace="shop",service="checkout",le="+Inf"} ${t.inf}
container_cpu_cfs_periods_total{namespace="shop",pod="checkout-5f6d7c8b9-abcde",container="checkout"} ${t.per}
container_cpu_cfs_throttled_periods_total{namespace="shop",pod="checkout-5f6d7c8b9-abcde",container="checkout"} ${t.thr}
container_cpu_usage_seconds_total{namespace="shop",pod="checkout-5f6d7c8b9-abcde",container="checkout"} ${t.cpu}
kube_pod_container_resource_limits{namespace="shop",pod="checkout-5f6d7c8b9-abcde",container="checkout",resource="cpu",unit="core"} 0.5
`;

describe("observations from two scrapes of the exposition", () => {
  it("gives memory and volume at once, and rates, shares and the p99 once there is an earlier scrape", () => {
    const first = readingsFromScrape("prod", parseExposition(scrape({ ok200: 1000, e500: 10, b01: 500, b05: 1000, inf: 1010, thr: 0, per: 1000, cpu: 100 })).samples, 0, [], 60_000);
    const early = toObservations(first.readings);
    expect(early.filter((o) => o.type === "metric")).toEqual([]);
    expect(early).toContainEqual({ type: "memory", cluster: "prod", namespace: "shop", workload: "checkout", pod: "checkout-5f6d7c8b9-abcde", container: "checkout", workingSetBytes: 100, limitBytes: 400 });
    expect(early).toContainEqual({ type: "memory", cluster: "prod", namespace: "shop", workload: "catalog-db", pod: "catalog-db-0", container: "db", workingSetBytes: 50 });
    expect(early).toContainEqual({ type: "volume", cluster: "prod", namespace: "shop", claim: "data-catalog-db-0", workload: "catalog-db", usedBytes: 90, capacityBytes: 100 });

    // 10 s later: 80 ok + 20 errors (10/s), 50 of 100 within 0.1 s, 98 within 0.5 s; 30 of 100 periods throttled; 0.4 cores of a 0.5 limit.
    const second = readingsFromScrape("prod", parseExposition(scrape({ ok200: 1080, e500: 30, b01: 550, b05: 1098, inf: 1110, thr: 30, per: 1100, cpu: 104 })).samples, 10_000, first.history, 60_000);
    const metrics = Object.fromEntries(toObservations(second.readings).flatMap((o) => (o.type === "metric" ? [[o.check, o.value]] : [])));
    expect(metrics["request-rate"]).toBeCloseTo(10);
    expect(metrics["error-share"]).toBeCloseTo(0.2);
    // rank 99 of 100 is 1 of the 2 observations between 0.5 s and +Inf: the largest finite bound.
    expect(metrics["p99-latency"]).toBeCloseTo(0.5);
    expect(metrics["cpu-throttling"]).toBeCloseTo(0.3);
    expect(metrics["cpu-saturation"]).toBeCloseTo(0.8);
  });

  it("skips what depends on a reading that failed, and keeps the rest", () => {
    const obs = toObservations({
      requests: [{ labels: { cluster: "prod", namespace: "shop", service: "frontend" }, value: 5 }],
      "working-set": [{ labels: { cluster: "prod", namespace: "shop", pod: "frontend-7d4b9c-x2x9z", container: "frontend" }, value: 7 }],
    });
    expect(obs).toEqual([
      { type: "memory", cluster: "prod", namespace: "shop", workload: "frontend", pod: "frontend-7d4b9c-x2x9z", container: "frontend", workingSetBytes: 7 },
      { type: "metric", cluster: "prod", namespace: "shop", workload: "frontend", check: "request-rate", value: 5 },
    ]);
  });
});
