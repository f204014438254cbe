import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectHttp, connectInMemory, textOf } from "../testing/connect.js";
import { startCountingProxy } from "../testing/counting-proxy.js";
import { startPrometheus } from "../testing/prometheus-fixture.js";
import { eventually, startSandboxBackends } from "../testing/sandbox-backends.js";
import { createUpstreams, type Upstreams } from "../upstream/upstreams.js";
import { prometheusServer } from "./server.js";

/**
 * The prometheus server against a real Prometheus (the machine's binary, configured by the same
 * generator `npm start` uses) scraping a real sandbox's two clusters every second, through a
 * proxy that records every request, so a test can show a malformed query never reaches it.
 */

let backends: Awaited<ReturnType<typeof startSandboxBackends>>;
let prometheus: Awaited<ReturnType<typeof startPrometheus>>;
let proxy: Awaited<ReturnType<typeof startCountingProxy>>;
let upstreams: Upstreams;
let conn: Awaited<ReturnType<typeof connectInMemory>>;

type Data = Record<string, unknown>;
const call = async (name: string, args: Record<string, unknown>) => conn.client.callTool({ name, arguments: args });
const data = (r: unknown) => (r as { structuredContent: Data }).structuredContent;

beforeAll(async () => {
  backends = await startSandboxBackends();
  prometheus = await startPrometheus(
    backends.sandbox.clusters.map((c) => ({ cluster: c.name, metricsUrl: `${c.apiServer}/metrics`, caPem: backends.ca, token: backends.token })),
  );
  proxy = await startCountingProxy(prometheus.url);
  upstreams = createUpstreams([{ name: "default", url: proxy.url }], {});
  conn = await connectInMemory(prometheusServer({ upstreams }));
  // Both clusters scraped, and a restart counter of shop's pods in each.
  await eventually(async () => {
    const r = await call("prometheus_query", { query: 'count by (cluster) (kube_pod_container_status_restarts_total{namespace="shop"})' });
    return !r.isError && (data(r).series as unknown[]).length === 2;
  }, "Prometheus to scrape both sandbox clusters", 60_000);
}, 120_000);

afterAll(async () => {
  await conn?.close();
  upstreams?.close();
  await proxy?.close();
  await prometheus?.stop();
  await backends?.stop();
});

describe("prometheus queries", () => {
  it("answers an instant query with the sandbox's real series, the labels all share said once", async () => {
    const r = await call("prometheus_query", { query: 'kube_pod_container_status_restarts_total{namespace="shop", cluster="prod"}' });
    expect(r.isError).toBeFalsy();
    const d = data(r) as { seriesCount: number; commonLabels: Record<string, string>; series: Array<{ labels: string; value: number }> };
    // frontend 3, checkout 2, payments 2, cart 2, catalog 2, redis-cart 1, catalog-db 1
    expect(d.seriesCount).toBe(13);
    expect(d.commonLabels).toMatchObject({ __name__: "kube_pod_container_status_restarts_total", namespace: "shop", cluster: "prod" });
    expect(d.series.some((s) => /pod="cart-/.test(s.labels))).toBe(true);
    expect(typeof d.series[0]?.value).toBe("number");
    expect(textOf(r)).toMatch(/13 series at/);
  });

  it("summarises a range query per series as min, max and last", async () => {
    const r = await call("prometheus_query_range", { query: 'sum by (cluster) (kube_deployment_status_replicas_available{namespace="shop"})', start: "now-2m" });
    expect(r.isError).toBeFalsy();
    const d = data(r) as { step: string; series: Array<{ labels: string; points: number; min: number; max: number; last: number }> };
    expect(d.series.map((s) => s.labels).sort()).toEqual(['{cluster="prod"}', '{cluster="staging"}']);
    // Deployments in shop: prod 3 + 2 + 2 + 2 + 2, staging one replica each.
    expect(d.series.find((s) => s.labels.includes("prod"))).toMatchObject({ max: 11, last: 11 });
    expect(d.series.find((s) => s.labels.includes("staging"))).toMatchObject({ last: 5 });
    expect(d.step).toBe("1s");
    expect(textOf(r)).toMatch(/min \/ max \/ last/);
  });

  it("raises a step that would exceed the points cap, and says so", async () => {
    const r = await call("prometheus_query_range", { query: "up", start: "now-6h", step: "1s" });
    expect(r.isError).toBeFalsy();
    const d = data(r) as { step: string; warnings: string[]; series: Array<{ points: number }> };
    expect(d.step).toBe("22s");
    expect(d.warnings[0]).toMatch(/raised to 22s \(at most 1000\)/);
    for (const s of d.series) expect(s.points).toBeLessThanOrEqual(1000);
  });

  it("refuses malformed PromQL with its position and the text around it, without asking Prometheus", async () => {
    const before = proxy.seen.length;
    const r = await call("prometheus_query", { query: "sum(rate(x[5m])" });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("malformed PromQL at line 1, column 16");
    expect(textOf(r)).toContain('"(" never closed (add ")")');
    expect(textOf(r)).toContain("  sum(rate(x[5m])\n                 ^");
    const brace = await call("prometheus_query_range", { query: "up{" });
    expect(textOf(brace)).toMatch(/column 4: .*"\{" never closed/);
    const fn = await call("prometheus_query", { query: 'rte(http_requests_total{service="cart"}[5m])' });
    expect(textOf(fn)).toContain('"rte" is not a PromQL function');
    expect(proxy.seen.length).toBe(before);
  });

  it("passes Prometheus's own refusal back as the tool error", async () => {
    const before = proxy.seen.length;
    const r = await call("prometheus_query", { query: "rate(up)" });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/^Prometheus refused the request \(bad_data\): .*range vector/);
    expect(proxy.seen.length).toBe(before + 1);
  });

  it("keeps a result of thousands of series under the output cap", async () => {
    const r = await call("prometheus_query", { query: '{__name__=~".+"}', top: 200 });
    expect(r.isError).toBeFalsy();
    const d = data(r) as { seriesCount: number; series: unknown[] };
    expect(d.seriesCount).toBeGreaterThan(1000);
    expect(d.series).toHaveLength(200);
    expect(textOf(r).length).toBeLessThanOrEqual(24_200);
    expect(textOf(r)).toMatch(/the top 200 by value shown/);
  });
});

describe("prometheus discovery", () => {
  it("lists both clusters' scrape targets as up", async () => {
    const r = await call("prometheus_targets", {});
    const d = data(r) as { up: number; down: number; targets: Array<{ labels: Record<string, string>; health: string }> };
    expect(d).toMatchObject({ up: 2, down: 0 });
    expect(d.targets.map((t) => t.labels.cluster).sort()).toEqual(["prod", "staging"]);
  });

  it("lists the alerting rules of deploy/prometheus/rules.yaml, evaluated without error", async () => {
    const r = await call("prometheus_rules", { type: "alert", name: "crashloop" });
    const d = data(r) as { total: number; rules: Array<{ name: string; type: string; health: string; query: string }> };
    expect(d.rules[0]).toMatchObject({ name: "KubePodCrashLooping", type: "alerting", health: "ok" });
    expect(d.rules[0]?.query).toContain("CrashLoopBackOff");
  });

  it("finds metric names, label values and series", async () => {
    const names = data(await call("prometheus_label_values", { label: "__name__", contains: "restarts" })) as { values: string[] };
    expect(names.values).toContain("kube_pod_container_status_restarts_total");
    const ns = data(await call("prometheus_label_values", { label: "namespace", match: ["kube_pod_info"] })) as { values: string[] };
    expect(ns.values).toEqual(expect.arrayContaining(["shop", "platform", "kube-system", "batch"]));
    const labels = data(await call("prometheus_label_names", { match: ['kube_pod_info{namespace="shop"}'] })) as { names: string[] };
    expect(labels.names).toEqual(expect.arrayContaining(["cluster", "namespace", "pod", "node"]));
    const series = data(await call("prometheus_series", { match: ['kube_deployment_spec_replicas{namespace="shop"}'], limit: 3 })) as { total: number; series: string[] };
    expect(series.total).toBe(10); // five Deployments in each cluster
    expect(series.series).toHaveLength(3);
  });

  it("refuses a match that is not a series selector", async () => {
    const r = await call("prometheus_series", { match: ["rate(up[5m])"] });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/match\[0\]: .* is not a series selector/);
  });

  it("shows a crashlooping pod's alert once the rule's expression holds", async () => {
    const fault = backends.sandbox.faults.inject({ kind: "crashloop", cluster: "prod", namespace: "shop", target: "cart" });
    expect(fault.ok).toBe(true);
    const alert = await eventually(
      async () => {
        const d = data(await call("prometheus_alerts", { alertname: "KubePodCrashLooping" })) as { alerts: Array<{ state: string; labels: string }> };
        return d.alerts.find((a) => a.labels.includes('namespace="shop"') && a.labels.includes('workload="cart"'));
      },
      "a KubePodCrashLooping alert for shop/cart",
      90_000,
    );
    expect(alert.labels).toContain('cluster="prod"');
    expect(["pending", "firing"]).toContain(alert.state);
  }, 120_000);
});

describe("prometheus arguments", () => {
  it("answers malformed arguments with what to fix", async () => {
    const noQuery = await call("prometheus_query", { top: 0 });
    expect(noQuery.isError).toBe(true);
    expect(textOf(noQuery)).toMatch(/query/);
    expect(textOf(noQuery)).toMatch(/top/);
    const badTime = await call("prometheus_query_range", { query: "up", start: "yesterday" });
    expect(textOf(badTime)).toMatch(/^start: "yesterday" is not a time; write RFC3339/);
    const badStep = await call("prometheus_query_range", { query: "up", step: "fast" });
    expect(textOf(badStep)).toMatch(/^step: "fast" is not a duration/);
    const badLabel = await call("prometheus_label_values", { label: "1st" });
    expect(textOf(badLabel)).toMatch(/a label name/);
  });

  it("offers the configured clusters as the cluster argument's choices", async () => {
    const named = createUpstreams([{ name: "prod", url: proxy.url }, { name: "staging", url: proxy.url }], {});
    const c = await connectInMemory(prometheusServer({ upstreams: named }));
    try {
      const r = await c.client.callTool({ name: "prometheus_query", arguments: { query: "up", cluster: "qa" } });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/prod/);
      expect(textOf(r)).toMatch(/staging/);
      const ok = await c.client.callTool({ name: "prometheus_query", arguments: { query: "up", cluster: "staging" } });
      expect((ok.structuredContent as Data).cluster).toBe("staging");
    } finally {
      await c.close();
      named.close();
    }
  });
});

describe("prometheus over Streamable HTTP", () => {
  it("serves the same tools to an HTTP client", async () => {
    const http = await connectHttp(prometheusServer({ upstreams }), { bearerToken: "prom-test-token-123" });
    try {
      const { tools } = await http.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([
        "prometheus_alerts",
        "prometheus_label_names",
        "prometheus_label_values",
        "prometheus_query",
        "prometheus_query_range",
        "prometheus_rules",
        "prometheus_series",
        "prometheus_targets",
      ]);
      expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
      const r = await http.client.callTool({ name: "prometheus_query", arguments: { query: 'up{cluster="staging"}' } });
      expect((r.structuredContent as { series: Array<{ value: number }> }).series[0]?.value).toBe(1);
      const bad = await http.client.callTool({ name: "prometheus_query", arguments: { query: "up{" } });
      expect(bad.isError).toBe(true);
    } finally {
      await http.close();
    }
  });
});
