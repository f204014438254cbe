import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createServiceMetrics, metricsHandler } from "./metrics.js";

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(handler: ReturnType<typeof metricsHandler>): Promise<string> {
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server?.address() as AddressInfo).port}/metrics`;
}

describe("service metrics", () => {
  it("serves the service's own series and Node's process metrics in Prometheus text format", async () => {
    const m = createServiceMetrics("scarlet");
    const actions = m.counter("actions_total", "Actions taken, by outcome.", ["outcome"]);
    actions.inc({ outcome: "succeeded" }, 2);
    m.histogram("detect_seconds", "Time from signal to incident.", [], [1, 5]).observe(3);
    const url = await serve(metricsHandler(m.registry));

    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    expect(body).toContain('autodevops_actions_total{outcome="succeeded",service="scarlet"} 2');
    expect(body).toContain('autodevops_detect_seconds_bucket{le="5",service="scarlet"} 1');
    expect(body).toMatch(/autodevops_process_resident_memory_bytes\{service="scarlet"\} \d+/);
  });

  it("keeps two services' registries apart in one process", async () => {
    const a = createServiceMetrics("a");
    const b = createServiceMetrics("b");
    a.gauge("queue_depth", "Depth.").set(3);
    expect(await b.registry.metrics()).not.toContain("autodevops_queue_depth");
  });

  it("answers 405 to a POST", async () => {
    const url = await serve(metricsHandler(createServiceMetrics("x").registry));
    expect((await fetch(url, { method: "POST" })).status).toBe(405);
  });
});
