import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../controllers/test-cluster.js";
import { startFaultCluster, type FaultTestCluster } from "./fault-test-cluster.js";
import type { KindFault } from "./kind-def.js";
import { spikeSaturation } from "./kinds/traffic-spike.js";
import { counterRates, redOver } from "./signal-probes.js";

let c: FaultTestCluster;
beforeAll(async () => {
  c = await startFaultCluster();
}, 60_000);
afterAll(async () => {
  await c?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SCARLET = "system:serviceaccount:autodevops:scarlet";
const replicasOf = (name: string) => Number(c.store.get("apps/deployments", "shop", name)?.spec?.replicas);

describe("traffic-spike", () => {
  it("multiplies the target's requests, pins its CPU at the limit with throttling and raises p99; a restart or too small a scale-up does not cure, enough replicas do", async () => {
    const before = await redOver(c, "frontend", 2000);
    const catalogBefore = c.traffic("catalog")?.rps ?? 0;
    const medianBefore = c.traffic("frontend")?.latencyMedianMs ?? 0;
    const id = c.inject({ kind: "traffic-spike", namespace: "shop", target: "frontend", params: { factor: 4 } });

    // The traffic model and the RED metrics: four times the requests, down the call graph too.
    const during = await redOver(c, "frontend", 2000);
    expect(during.rps / before.rps).toBeGreaterThan(3.3);
    expect(during.rps / before.rps).toBeLessThan(4.8);
    expect((c.traffic("catalog")?.rps ?? 0) / catalogBefore).toBeGreaterThan(3.3);
    expect(c.traffic("frontend")?.saturation).toBeGreaterThan(1);
    expect(during.p99).toBeGreaterThan(2 * ((medianBefore * Math.exp(2.326 * (c.traffic("ingress-gateway")?.latencySigma ?? 0.55))) / 1000));

    // cAdvisor: every frontend container uses its whole CPU limit (1 core) and most CFS periods throttle.
    const cpu = await counterRates(c, "container_cpu_usage_seconds_total", { namespace: "shop", container: "frontend" }, 1500);
    expect(cpu).toHaveLength(3);
    for (const s of cpu) expect(s.perSecond).toBeGreaterThan(0.9);
    const throttled = await counterRates(c, "container_cpu_cfs_throttled_periods_total", { namespace: "shop", container: "frontend" }, 2000);
    for (const s of throttled) expect(s.perSecond / 10).toBeGreaterThan(0.25);

    // Traces: the frontend's spans take longer than its median before the spike.
    const frontendSpans = c.spans(20_000, (s) => s.service === "frontend" && s.kind === "SPAN_KIND_SERVER");
    expect(frontendSpans.length).toBeGreaterThan(0);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    expect(median(frontendSpans.map((s) => s.durationMs))).toBeGreaterThan(1.5 * medianBefore);
    // Logs: the app warns of queued requests.
    const pod = c.statuses("frontend")[0]?.pod.metadata.name ?? "";
    await waitFor("a slow-request warning in frontend's logs", () => c.logs.read("shop", pod, "frontend")?.some((l) => /"msg":"slow request: queued behind in-flight requests"/.test(l.text)));

    // A restart spreads the same load over the same number of pods: not cured.
    await c.kubectl(["rollout", "restart", "deployment/frontend"], "scarlet");
    await waitFor("frontend rolled out after the restart", () => c.rolledOut("frontend"), 30_000);
    expect(c.fault(id)?.cured).toBe(false);

    // The replicas that carry the spike now, by the same traffic model (it depends on the time of day).
    const fault = { cluster: "prod", namespace: "shop", target: "frontend", state: { factor: 4, replicasAtInjection: 3 } } as Pick<KindFault<{ factor: number; replicasAtInjection: number }>, "cluster" | "namespace" | "target" | "state">;
    let enough = 4;
    while ((spikeSaturation(fault, c.store, enough, new Date()) ?? 2) >= 1) enough++;
    if (enough > 4) {
      await c.kubectl(["scale", "deployment/frontend", `--replicas=${enough - 1}`], "scarlet");
      await sleep(300);
      expect(c.fault(id)?.cured).toBe(false);
    }
    await c.kubectl(["patch", "deployment/frontend", "-p", JSON.stringify({ spec: { replicas: enough } })]);
    const cured = await waitFor("traffic-spike cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe("admin");
    expect(replicasOf("frontend")).toBe(enough);

    // Once cured the sandbox drops the spike; scale back for the next test.
    await c.kubectl(["scale", "deployment/frontend", "--replicas=3"]);
    await waitFor("frontend back at 3", () => c.rolledOut("frontend"), 30_000);
  }, 120_000);

  it("is cured with the scale's user when the scale subresource is used, and refuses a factor that is no spike", async () => {
    const id = c.inject({ kind: "traffic-spike", namespace: "shop", target: "cart", params: { factor: 5 } });
    await c.kubectl(["scale", "deployment/cart", "--replicas=8"], "scarlet");
    const cured = await waitFor("cart spike cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe(SCARLET);
    await c.kubectl(["scale", "deployment/cart", "--replicas=2"]);
    await waitFor("cart back at 2", () => c.rolledOut("cart"), 30_000);

    const r = c.registry.inject({ kind: "traffic-spike", namespace: "shop", target: "cart", params: { factor: 0.5 } });
    expect(!r.ok && r.error).toMatchObject({ code: "bad_params", message: expect.stringMatching(/factor/) });
  }, 60_000);
});

describe("slow-dependency", () => {
  it("slows payments' calls to payment-gateway: its p99 and its callers' rise, the slow CLIENT span shows, its logs warn, and nothing in the cluster cures it", async () => {
    // p99 of the model's log-normal latency (too few payments requests in a few seconds for the histogram's).
    const p99Before = ((c.traffic("payments")?.latencyMedianMs ?? 0) * Math.exp(2.326 * (c.traffic("payments")?.latencySigma ?? 0))) / 1000;
    const checkoutBefore = c.traffic("checkout")?.latencyMedianMs ?? 0;
    const id = c.inject({ kind: "slow-dependency", namespace: "shop", target: "payments" });

    const during = await redOver(c, "payments", 3000);
    expect(p99Before).toBeLessThan(1);
    expect(during.p99).toBeGreaterThan(2);
    expect(during.serverErrors).toBeLessThan(0.02);
    expect((c.traffic("checkout")?.latencyMedianMs ?? 0) - checkoutBefore).toBeGreaterThan(1500);

    // Traces: the CLIENT span from payments to the gateway is the slow one. Few traces reach
    // payments (a checkout is 8 % of frontend requests), so look at five minutes of them.
    const external = c.spans(300_000, (s) => s.service === "payments" && s.kind === "SPAN_KIND_CLIENT" && s.attributes["peer.service"] === "payment-gateway");
    expect(external.length).toBeGreaterThan(0);
    const sorted = external.map((s) => s.durationMs).sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeGreaterThan(1500);
    // Logs: payments warns of its slow upstream.
    const pod = c.statuses("payments")[0]?.pod.metadata.name ?? "";
    await waitFor("a slow-upstream warning", () => c.logs.read("shop", pod, "payments")?.some((l) => /"msg":"upstream request slow","upstream":"payment-gateway"/.test(l.text)));
    // Kubernetes: everything looks healthy.
    expect(c.statuses("payments").every((s) => s.status?.ready === true && s.status.restartCount === 0)).toBe(true);

    // Restarting payments, restarting its caller, or scaling it out: the gateway stays slow.
    await c.kubectl(["rollout", "restart", "deployment/payments"], "scarlet");
    await c.kubectl(["rollout", "restart", "deployment/checkout"], "scarlet");
    await c.kubectl(["scale", "deployment/payments", "--replicas=4"], "scarlet");
    await waitFor("payments rolled out at 4", () => c.rolledOut("payments") && c.rolledOut("checkout"), 30_000);
    await sleep(300);
    expect(c.fault(id)?.cured).toBe(false);
    expect((c.traffic("payments")?.latencyMedianMs ?? 0)).toBeGreaterThan(2000);

    // Only clearing it (the gateway recovering) brings latency back.
    expect(c.registry.clear(id)).toBe(true);
    expect((c.traffic("payments")?.latencyMedianMs ?? 0)).toBeLessThan(400);
    await c.kubectl(["scale", "deployment/payments", "--replicas=2"]);
    await waitFor("payments back at 2", () => c.rolledOut("payments"), 30_000);
  }, 90_000);

  it("writes params.message as its warning, and refuses a target that calls nothing outside the cluster", async () => {
    const id = c.inject({ kind: "slow-dependency", namespace: "shop", target: "payments", params: { latencyMs: 800, message: "gateway slow (test)" } });
    const pod = c.statuses("payments")[0]?.pod.metadata.name ?? "";
    await waitFor("the message in payments' logs", () => c.logs.read("shop", pod, "payments")?.some((l) => l.text === "gateway slow (test)"));
    expect(c.registry.clear(id)).toBe(true);

    const r = c.registry.inject({ kind: "slow-dependency", namespace: "shop", target: "checkout" });
    expect(!r.ok && r.error).toMatchObject({ code: "unknown_target", message: expect.stringMatching(/shop\/payments/) });
  }, 30_000);
});
