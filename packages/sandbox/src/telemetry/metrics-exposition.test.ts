import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { typed, type Deployment, type Pod } from "../controllers/kube-shapes.js";
import { waitFor } from "../controllers/test-cluster.js";
import { EXPOSITION_CONTENT_TYPE } from "./exposition-format.js";
import { ClusterTelemetry } from "./metrics-exposition.js";
import { telemetryMetricsHandler } from "./metrics-handler.js";
import { parseExposition, type ParsedExposition as Parsed, type Series } from "../testing/exposition-parser.js";
import { TelemetryModifiers } from "./telemetry-modifiers.js";
import { readyPodsOf, startEstateCluster, type EstateCluster } from "./test-estate.js";

const parse = parseExposition;

/** The family a sample belongs to: histograms' samples carry a suffix. */
function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, "");
  return types.get(base) === "histogram" ? base : undefined;
}

const key = (s: Series) => `${s.name}${JSON.stringify(s.labels)}`;
const find = (p: Parsed, name: string, labels: Record<string, string>) =>
  p.series.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const total = (p: Parsed, name: string, labels: Record<string, string>) => find(p, name, labels).reduce((a, s) => a + s.value, 0);
const delta = (a: Parsed, b: Parsed, name: string, labels: Record<string, string>) => total(b, name, labels) - total(a, name, labels);

let cluster: EstateCluster;
const T0 = Date.now();
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function telemetry(modifiers = new TelemetryModifiers({ now: () => at(0) })) {
  return { modifiers, tel: new ClusterTelemetry({ cluster: "prod", store: cluster.store, modifiers, seed: 42, startedAt: at(0) }) };
}

beforeAll(async () => {
  cluster = await startEstateCluster("prod");
}, 40_000);
afterAll(() => cluster.stop());

describe("a cluster's metrics exposition", () => {
  it("declares HELP and TYPE for every sample's metric, in well-formed lines", () => {
    const p = parse(telemetry().tel.render(at(10)));
    for (const s of p.series) {
      const family = familyOf(s.name, p.types);
      expect(family, s.name).toBeDefined();
      expect(p.helps.has(family ?? "")).toBe(true);
    }
    for (const name of [
      "kube_pod_container_status_restarts_total",
      "kube_pod_status_phase",
      "kube_node_status_condition",
      "kube_deployment_status_replicas_available",
      "kube_statefulset_status_replicas_ready",
      "kube_pod_container_resource_limits",
      "kube_persistentvolumeclaim_info",
      "container_memory_working_set_bytes",
      "container_cpu_usage_seconds_total",
      "container_cpu_cfs_throttled_periods_total",
      "kubelet_volume_stats_used_bytes",
      "http_requests_total",
      "http_request_duration_seconds_bucket",
    ]) {
      expect(find(p, name, {}).length, name).toBeGreaterThan(0);
    }
  });

  it("reports each container's restart count and each deployment's available replicas as the store has them", () => {
    const pod = typed<Pod>(cluster.store.list("pods", { namespace: "shop" }).items.find((o) => o.metadata.labels?.app === "cart") ?? fail("no cart pod"));
    const status = pod.status?.containerStatuses?.[0] ?? fail("no container status");
    status.restartCount = 4;
    status.lastState = { terminated: { exitCode: 137, reason: "OOMKilled" } };
    const updated = cluster.store.update("pods", pod, { subresource: "status" });
    expect(updated.ok).toBe(true);

    const p = parse(telemetry().tel.render(at(10)));
    for (const o of cluster.store.list("pods").items.map((i) => typed<Pod>(i))) {
      for (const s of o.status?.containerStatuses ?? []) {
        expect(total(p, "kube_pod_container_status_restarts_total", { pod: o.metadata.name, container: s.name })).toBe(s.restartCount);
      }
    }
    expect(find(p, "kube_pod_container_status_last_terminated_reason", { pod: pod.metadata.name, reason: "OOMKilled" })[0]?.value).toBe(1);
    for (const d of cluster.store.list("apps/deployments").items.map((o) => typed<Deployment>(o))) {
      const labels = { namespace: d.metadata.namespace ?? "", deployment: d.metadata.name };
      expect(total(p, "kube_deployment_status_replicas_available", labels)).toBe(d.status?.availableReplicas);
      expect(total(p, "kube_deployment_spec_replicas", labels)).toBe(d.spec?.replicas);
    }
  });

  it("only ever grows its counters from one scrape to the next", () => {
    const { tel } = telemetry();
    const a = parse(tel.render(at(10)));
    const b = parse(tel.render(at(40)));
    const counters = new Set([...a.types].filter(([, t]) => t === "counter" || t === "histogram").map(([n]) => n));
    const before = new Map(a.series.filter((s) => counters.has(familyOf(s.name, a.types) ?? "")).map((s) => [key(s), s.value]));
    expect(before.size).toBeGreaterThan(50);
    let grew = 0;
    for (const s of b.series) {
      const prev = before.get(key(s));
      if (prev === undefined) continue;
      expect(s.value, key(s)).toBeGreaterThanOrEqual(prev);
      if (s.value > prev) grew++;
    }
    expect(grew).toBeGreaterThan(20);
  });

  it("sends checkout its share of frontend's requests, as the call graph says", () => {
    const { tel } = telemetry();
    const a = parse(tel.render(at(10)));
    const b = parse(tel.render(at(610)));
    const frontend = delta(a, b, "http_requests_total", { service: "frontend" });
    const checkout = delta(a, b, "http_requests_total", { service: "checkout" });
    expect(frontend).toBeGreaterThan(20_000);
    expect(checkout / frontend).toBeGreaterThan(0.075);
    expect(checkout / frontend).toBeLessThan(0.085);
    expect(delta(a, b, "http_request_duration_seconds_count", { service: "checkout" })).toBeCloseTo(checkout, -1);
  });

  it("raises cart's 5xx when redis-cart fails", () => {
    const { tel, modifiers } = telemetry();
    const a = parse(tel.render(at(10)));
    const b = parse(tel.render(at(70)));
    modifiers.setModifier("prod", "redis-cart", { errorRate: 0.5 });
    const c = parse(tel.render(at(130)));
    const before = delta(a, b, "http_requests_total", { service: "cart", code: "500" });
    const after = delta(b, c, "http_requests_total", { service: "cart", code: "500" });
    const requests = delta(b, c, "http_requests_total", { service: "cart" });
    expect(after / requests).toBeGreaterThan(0.3);
    expect(after).toBeGreaterThan(before * 10 + 10);
  });

  it("drives the working set from a memory modifier, and the volume from a disk modifier", () => {
    const { tel, modifiers } = telemetry();
    modifiers.setModifier("prod", "cart", { memoryMiB: 300 });
    modifiers.setModifier("prod", "catalog-db", { diskUsedFraction: 0.93 });
    const p = parse(tel.render(at(10)));
    const ws = find(p, "container_memory_working_set_bytes", { namespace: "shop", container: "cart" });
    expect(ws.length).toBe(2);
    for (const s of ws) expect(s.value).toBe(300 * 2 ** 20);
    const used = total(p, "kubelet_volume_stats_used_bytes", { persistentvolumeclaim: "data-catalog-db-0" });
    const capacity = total(p, "kubelet_volume_stats_capacity_bytes", { persistentvolumeclaim: "data-catalog-db-0" });
    expect(used / capacity).toBeCloseTo(0.93, 3);
  });

  it("throttles a spiked service's CPU at its limit", () => {
    const { tel, modifiers } = telemetry();
    const a = parse(tel.render(at(10)));
    const b = parse(tel.render(at(70)));
    modifiers.setModifier("prod", "frontend", { trafficFactor: 5 });
    const c = parse(tel.render(at(130)));
    const labels = { namespace: "shop", container: "frontend" };
    expect(delta(a, b, "container_cpu_cfs_throttled_periods_total", labels)).toBe(0);
    expect(delta(b, c, "container_cpu_cfs_throttled_periods_total", labels)).toBeGreaterThan(3 * 600 * 0.5);
    // Three pods with a 1-core limit cannot use more than three cores.
    expect(delta(b, c, "container_cpu_usage_seconds_total", labels)).toBeLessThanOrEqual(3 * 60 + 1e-6);
    expect(delta(b, c, "container_cpu_usage_seconds_total", labels)).toBeGreaterThan(3 * 60 * 0.95);
  });

  it("serves the exposition over HTTP with the text format's content type", async () => {
    const server = createServer(telemetryMetricsHandler(telemetry().tel, () => at(10)));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe(EXPOSITION_CONTENT_TYPE);
      expect(parse(await res.text()).series.length).toBeGreaterThan(100);
    } finally {
      server.close();
    }
  });

  // These change the cluster, so they come last.
  it("reports a ResourceQuota's hard and used amounts", async () => {
    const created = cluster.store.create("resourcequotas", {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "shop-quota", namespace: "shop" },
      spec: { hard: { pods: "40", "limits.memory": "20Gi" } },
    });
    expect(created.ok).toBe(true);
    try {
      await waitFor("quota status", () => (cluster.store.get("resourcequotas", "shop", "shop-quota")?.status as { used?: object } | undefined)?.used, 10_000);
      const p = parse(telemetry().tel.render(at(10)));
      const quota = { namespace: "shop", resourcequota: "shop-quota" };
      const shopPods = cluster.store.list("pods", { namespace: "shop" }).items.length;
      expect(total(p, "kube_resourcequota", { ...quota, resource: "pods", type: "hard" })).toBe(40);
      expect(total(p, "kube_resourcequota", { ...quota, resource: "pods", type: "used" })).toBe(shopPods);
      expect(total(p, "kube_resourcequota", { ...quota, resource: "limits.memory", type: "hard" })).toBe(20 * 2 ** 30);
    } finally {
      cluster.store.delete("resourcequotas", "shop", "shop-quota");
    }
  });

  it("times out checkout's calls to cart once a NetworkPolicy admits nothing to cart", () => {
    const { tel } = telemetry();
    const a = parse(tel.render(at(10)));
    const created = cluster.store.create("networking.k8s.io/networkpolicies", {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "deny-cart", namespace: "shop" },
      spec: { podSelector: { matchLabels: { app: "cart" } }, policyTypes: ["Ingress"] },
    });
    expect(created.ok).toBe(true);
    try {
      const b = parse(tel.render(at(70)));
      const checkout = delta(a, b, "http_requests_total", { service: "checkout" });
      expect(delta(a, b, "http_requests_total", { service: "checkout", code: "504" }) / checkout).toBeGreaterThan(0.5);
      expect(delta(a, b, "http_requests_total", { service: "cart" })).toBe(0);
      // Every checkout request now waits out the 3 s timeout.
      expect(delta(a, b, "http_request_duration_seconds_bucket", { service: "checkout", le: "2.5" })).toBeLessThan(checkout * 0.01);
      expect(delta(a, b, "http_request_duration_seconds_bucket", { service: "checkout", le: "5" })).toBeGreaterThan(checkout * 0.9);
    } finally {
      cluster.store.delete("networking.k8s.io/networkpolicies", "shop", "deny-cart");
    }
  });

  it("drops a deleted pod's series at the next scrape", async () => {
    const { tel } = telemetry();
    const victim = readyPodsOf(cluster.store, "shop", "frontend")[0] ?? fail("no frontend pod");
    const before = parse(tel.render(at(10)));
    expect(find(before, "container_memory_working_set_bytes", { pod: victim.metadata.name }).length).toBe(1);
    expect(cluster.store.delete("pods", "shop", victim.metadata.name, { gracePeriodSeconds: 0 }).ok).toBe(true);
    const after = parse(tel.render(at(20)));
    expect(after.series.filter((s) => s.labels.pod === victim.metadata.name)).toEqual([]);
  });

  it("makes checkout's 503s rise when cart is scaled to zero", async () => {
    const { tel } = telemetry();
    const a = parse(tel.render(at(10)));
    const b = parse(tel.render(at(70)));
    const cart = typed<Deployment>(cluster.store.get("apps/deployments", "shop", "cart") ?? fail("no cart"));
    cart.spec = { ...cart.spec, replicas: 0 };
    expect(cluster.store.update("apps/deployments", cart).ok).toBe(true);
    await waitFor("cart has no ready pods", () => readyPodsOf(cluster.store, "shop", "cart").length === 0, 15_000);
    const c = parse(tel.render(at(130)));
    const d = parse(tel.render(at(190)));
    expect(delta(a, b, "http_requests_total", { service: "checkout", code: "503" })).toBe(0);
    const outage = delta(c, d, "http_requests_total", { service: "checkout", code: "503" });
    expect(outage / delta(c, d, "http_requests_total", { service: "checkout" })).toBeGreaterThan(0.5);
    expect(delta(c, d, "http_requests_total", { service: "cart" })).toBe(0);
    expect(total(d, "kube_deployment_spec_replicas", { deployment: "cart" })).toBe(0);
  }, 20_000);
});

function fail(msg: string): never {
  throw new Error(msg);
}
