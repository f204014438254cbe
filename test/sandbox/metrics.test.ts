import https from "node:https";
import { readFileSync } from "node:fs";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSandboxFixture } from "./sandbox-fixture.js";

let f: Awaited<ReturnType<typeof startSandboxFixture>>;
beforeAll(async () => {
  f = await startSandboxFixture();
});
afterAll(async () => {
  await f?.sandbox.stop();
});

/** GETs a path of a cluster's API server as Prometheus or Grafana would: over TLS, with a bearer token from the kubeconfig. */
function scrape(cluster: string, token: string | undefined, pathAndQuery = "/metrics"): Promise<{ status: number; body: string; type: string }> {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(readFileSync(f.sandbox.kubeconfig, "utf8"));
  const c = kc.getCluster(cluster);
  if (!c?.caData) throw new Error("no CA in the kubeconfig");
  return new Promise((resolve, reject) => {
    https
      .get(`${c.server}${pathAndQuery}`, { ca: Buffer.from(c.caData ?? "", "base64"), headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers["content-type"]) }));
      })
      .on("error", reject);
  });
}

describe("the sandbox clusters' /metrics", () => {
  it("serves kube-state-metrics, cAdvisor and RED series that match the cluster, to authenticated scrapers only", async () => {
    expect((await scrape("prod", undefined)).status).toBe(401);
    const prod = await eventually(async () => {
      const r = await scrape("prod", f.sandbox.tokens.scarlet);
      return /kube_deployment_status_replicas_available\{namespace="shop",deployment="checkout"\} 2\b/.test(r.body) ? r : undefined;
    }, "checkout available 2 in prod's metrics");
    expect(prod.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(prod.body).toMatch(/^# TYPE http_requests_total counter$/m);
    expect(prod.body).toMatch(/http_requests_total\{namespace="shop",service="frontend",code="200"\} \d+/);
    expect(prod.body).toMatch(/container_memory_working_set_bytes\{namespace="shop",pod="checkout-[a-z0-9]+-[a-z0-9]+",container="checkout"\} \d+/);
    const staging = await scrape("staging", f.sandbox.tokens.admin);
    expect(staging.body).toMatch(/kube_deployment_spec_replicas\{namespace="shop",deployment="checkout"\} 1\b/);
  });
});

describe("the sandbox clusters' Loki API", () => {
  it("answers a LogQL range query over the containers' logs, and 400 for what it does not support", async () => {
    const query = encodeURIComponent('{namespace="shop", app="checkout"}');
    const r = await eventually(async () => {
      const res = await scrape("prod", f.sandbox.tokens.admin, `/loki/api/v1/query_range?query=${query}&limit=10&direction=backward`);
      const parsed = JSON.parse(res.body) as { status: string; data: { resultType: string; result: Array<{ stream: Record<string, string>; values: string[][] }> } };
      return parsed.data.result.length > 0 ? parsed : undefined;
    }, "checkout log lines through Loki");
    expect(r.status).toBe("success");
    expect(r.data.resultType).toBe("streams");
    expect(r.data.result[0]?.stream).toMatchObject({ cluster: "prod", namespace: "shop", app: "checkout", container: "checkout" });
    expect(r.data.result.flatMap((s) => s.values).length).toBeLessThanOrEqual(10);
    const bad = await scrape("prod", f.sandbox.tokens.admin, `/loki/api/v1/query_range?query=${encodeURIComponent('rate({app="x"}[5m])')}`);
    expect(bad.status).toBe(400);
  });
});

describe("the sandbox clusters' Tempo API", () => {
  it("finds traces by service and returns one in Tempo's shape, with spans along the call graph", async () => {
    const found = await eventually(async () => {
      const res = await scrape("prod", f.sandbox.tokens.admin, `/tempo/api/search?tags=${encodeURIComponent("service.name=checkout")}&limit=5`);
      const body = JSON.parse(res.body) as { traces: Array<{ traceID: string; rootServiceName: string }> };
      return body.traces.length > 0 ? body.traces : undefined;
    }, "a trace through checkout", 40_000);
    const trace = await scrape("prod", f.sandbox.tokens.admin, `/tempo/api/traces/${found[0]?.traceID}`);
    expect(trace.status).toBe(200);
    const batches = (JSON.parse(trace.body) as { batches: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> } }> }).batches;
    const services = batches.map((b) => b.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue);
    expect(services).toContain("checkout");
    expect(services).toContain("frontend");
    expect((await scrape("prod", f.sandbox.tokens.admin, "/tempo/api/traces/00000000000000000000000000000000")).status).toBe(404);
    expect((await scrape("prod", f.sandbox.tokens.admin, "/tempo/api/search?minDuration=fast")).status).toBe(400);
  });
});
