import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../controllers/test-cluster.js";
import { CHANGE_CAUSE } from "../estate/workload-objects.js";
import { serviceStates, takeSnapshot } from "../telemetry/cluster-snapshot.js";
import { computeTraffic } from "../telemetry/traffic-model.js";
import { startFaultCluster, type FaultTestCluster } from "./fault-test-cluster.js";
import type { ActiveFault } from "./fault-model.js";
import { FAULT_DEFS } from "./kinds/index.js";
import { FLAP_BURST_MS, FLAP_PERIOD_MS } from "./kinds/flapping.js";
import { NOISE_BOTS } from "./kinds/noise.js";
import { redOver } from "./signal-probes.js";

let c: FaultTestCluster;
beforeAll(async () => {
  c = await startFaultCluster();
}, 60_000);
afterAll(async () => {
  await c?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SCARLET = "system:serviceaccount:autodevops:scarlet";
const image = (name: string) => (c.store.get("apps/deployments", "shop", name)?.spec?.template as { spec: { containers: { image: string }[] } }).spec.containers[0]?.image;
const logsOf = (workload: string) => c.statuses(workload).flatMap((s) => c.logs.read("shop", s.pod.metadata.name, workload)?.map((l) => l.text) ?? []);

/** The first HighErrorRate rule of deploy/prometheus/rules.yaml: its 5xx-share threshold and its `for:` in ms. */
function highErrorRateRule(): { threshold: number; forMs: number } {
  const text = readFileSync(new URL("../../../../deploy/prometheus/rules.yaml", import.meta.url), "utf8");
  const block = text.split("- alert: HighErrorRate")[1]?.split("- alert:")[0] ?? "";
  const threshold = Number(/\)\s*>\s*([\d.]+)/.exec(block)?.[1]);
  const f = /for:\s*(\d+)(m|s)/.exec(block);
  return { threshold, forMs: Number(f?.[1]) * (f?.[2] === "m" ? 60_000 : 1000) };
}

/**
 * What `rate(...[1m])` shares of 5xx a service shows over time while a fault's modifiers (asked at
 * each second, as at each scrape) apply: one value per second from `from` for `seconds`.
 */
function windowedServerErrors(fault: ActiveFault, service: string, from: number, seconds: number): { at: number; share: number; instant: number; saturation: number; clientErrors: number }[] {
  const def = FAULT_DEFS[fault.kind];
  const services = serviceStates(takeSnapshot(c.store));
  const perSecond: { at: number; errors: number; total: number; saturation: number; clientErrors: number }[] = [];
  for (let s = -60; s < seconds; s++) {
    const at = new Date(from + s * 1000);
    const mods = def?.modifiers?.(fault, at) ?? [];
    const traffic = computeTraffic({ cluster: "prod", at, seed: 1, services, modifierOf: (name) => Object.assign({}, ...mods.filter((m) => m.service === name).map((m) => m.modifier)) });
    const t = traffic.get(service);
    if (!t) throw new Error(`no traffic for ${service}`);
    perSecond.push({ at: at.getTime(), errors: t.rps * (t.codes["500"] + t.codes["503"] + t.codes["504"]), total: t.rps, saturation: t.saturation, clientErrors: t.codes["404"] });
  }
  return perSecond.slice(60).map((p, i) => {
    const window = perSecond.slice(i + 1, i + 61);
    const sum = (k: "errors" | "total") => window.reduce((a, w) => a + w[k], 0);
    return { at: p.at, share: sum("errors") / sum("total"), instant: p.errors / p.total, saturation: p.saturation, clientErrors: p.clientErrors };
  });
}

/** The longest run of consecutive seconds for which `pick` holds. */
function longestRun<T>(xs: T[], pick: (x: T) => boolean): number {
  let best = 0;
  let run = 0;
  for (const x of xs) {
    run = pick(x) ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

const activeFault = (id: string) => ({ ...(c.fault(id) as NonNullable<ReturnType<FaultTestCluster["fault"]>>), state: {}, message: undefined, own: [] }) as ActiveFault;

describe("flapping", () => {
  it("lifts the 5xx rate over HighErrorRate's threshold for under a minute, recovers, and comes back, so the alert never fires", async () => {
    const rule = highErrorRateRule();
    expect(rule).toEqual({ threshold: 0.05, forMs: 60_000 });
    const id = c.inject({ kind: "flapping", namespace: "shop", target: "frontend" });

    // Live: the burst is on at once, on the metrics, the logs and the traces.
    expect(c.serverErrors("frontend")).toBeGreaterThan(rule.threshold);
    const red = await redOver(c, "frontend", 2000);
    expect(red.serverErrors).toBeGreaterThan(rule.threshold);
    await waitFor("request failures in frontend's logs", () => logsOf("frontend").some((l) => /"level":"error".*"msg":"request failed","status":500/.test(l)));
    // (This runs first in the file: the buckets of the last minute are generated now, with the burst on.)
    expect(c.spans(60_000, (s) => s.service === "frontend" && s.error).length).toBeGreaterThan(0);

    // Over two periods, as the rule's 1m rate sees it: above the threshold for under `for:`, twice.
    const fault = activeFault(id);
    const series = windowedServerErrors(fault, "frontend", new Date(fault.injectedAt).getTime(), (2 * FLAP_PERIOD_MS) / 1000);
    // The 5xx rate crosses the threshold twice, each time for under a minute, then recovers;
    // the rule's 1m share never stays above it for anything near `for:`.
    const burst = (p: { instant: number }) => p.instant > rule.threshold;
    expect(series.filter((p, i) => burst(p) && !burst(series[i - 1] ?? { instant: 0 })).length).toBe(2);
    expect(longestRun(series, burst)).toBe(FLAP_BURST_MS / 1000);
    expect(longestRun(series, burst)).toBeLessThan(rule.forMs / 1000);
    expect(Math.max(...series.map((p) => p.share))).toBeGreaterThan(0.03);
    expect(longestRun(series, (p) => p.share > rule.threshold)).toBeLessThan(rule.forMs / 1000 - 30);
    expect(Math.min(...series.map((p) => p.instant))).toBeLessThan(0.01);

    // Nothing is broken: a restart or a scale-up changes nothing and cures nothing.
    await c.kubectl(["rollout", "restart", "deployment/frontend"], "scarlet");
    await c.kubectl(["scale", "deployment/frontend", "--replicas=4"], "scarlet");
    await waitFor("frontend rolled out at 4", () => c.rolledOut("frontend"), 30_000);
    expect(c.fault(id)?.cured).toBe(false);
    expect(c.registry.clear(id)).toBe(true);
    await c.kubectl(["scale", "deployment/frontend", "--replicas=3"]);
    await waitFor("frontend back at 3", () => c.rolledOut("frontend"), 30_000);
  }, 60_000);
});

describe("bad-rollout (errors)", () => {
  it("rolls out a new image whose Ready pods fail ~30 % of requests with stack traces; a restart keeps the errors, a rollback cures", async () => {
    const oldPods = c.statuses("checkout").map((s) => s.pod.metadata.uid);
    const id = c.inject({ kind: "bad-rollout", namespace: "shop", target: "checkout", params: { mode: "errors" } });
    expect(image("checkout")).toBe("registry.example.com/shop/checkout:1.4.3");
    expect(c.store.get("apps/deployments", "shop", "checkout")?.metadata.annotations?.[CHANGE_CAUSE]).toBe("deploy 1.4.3");
    await waitFor("checkout rolled out on 1.4.3", () => c.rolledOut("checkout"), 30_000);

    // Kubernetes: the new pods run and are Ready, nothing restarts; the rollout shows in history and events.
    const fresh = c.statuses("checkout");
    expect(fresh.every((s) => !oldPods.includes(s.pod.metadata.uid) && s.status?.ready === true && s.status.restartCount === 0)).toBe(true);
    expect(await c.kubectl(["rollout", "history", "deployment/checkout"])).toMatch(/deploy 1\.4\.3/);
    const events = JSON.parse(await c.kubectl(["get", "events", "-o", "json"])) as { items: { reason: string; involvedObject: { name: string } }[] };
    expect(events.items.some((e) => e.reason === "ScalingReplicaSet" && e.involvedObject.name === "checkout")).toBe(true);
    expect(c.metric("kube_deployment_status_replicas_available", { namespace: "shop", deployment: "checkout" })[0]?.value).toBe(2);

    // Metrics: about 30 % 5xx from checkout, some of it passed on to the frontend.
    expect(c.serverErrors("checkout")).toBeGreaterThan(0.25);
    const red = await redOver(c, "checkout", 4000);
    expect(red.serverErrors).toBeGreaterThan(0.15);
    expect(c.serverErrors("frontend")).toBeGreaterThan(0.01);
    // Logs: the handler's error with its stack trace, in the new pods.
    const pod = fresh[0]?.pod.metadata.name ?? "";
    await waitFor("a handler error in the new pod's logs", () => c.logs.read("shop", pod, "checkout")?.some((l) => /"msg":"unhandled error in request handler".*"stacktrace":"main\.\(\*Server\)\.handleCheckout\\n/.test(l.text)));
    // Traces: failing checkout spans answering 500 (checkouts are rare: look at five minutes).
    const failing = c.spans(300_000, (s) => s.service === "checkout" && s.kind === "SPAN_KIND_SERVER" && s.error && s.attributes["http.status_code"] === 500);
    expect(failing.length).toBeGreaterThan(0);

    // A restart brings new pods of the same bad image: the errors go on.
    await c.kubectl(["rollout", "restart", "deployment/checkout"], "scarlet");
    await waitFor("checkout restarted", () => c.rolledOut("checkout") && c.statuses("checkout").every((s) => !fresh.some((f) => f.pod.metadata.uid === s.pod.metadata.uid)), 30_000);
    expect(c.fault(id)?.cured).toBe(false);
    expect(c.serverErrors("checkout")).toBeGreaterThan(0.25);

    // The rollback to the last good revision (the restart made one of its own) cures.
    await c.kubectl(["rollout", "undo", "deployment/checkout", "--to-revision=2"], "scarlet");
    const cured = await waitFor("bad-rollout cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe(SCARLET);
    await waitFor("checkout back on 1.4.2", () => c.rolledOut("checkout") && image("checkout") === "registry.example.com/shop/checkout:1.4.2", 30_000);
    expect(c.serverErrors("checkout")).toBeLessThan(0.01);
  }, 90_000);
});

describe("noise", () => {
  it("adds traffic peaks, bot 404 bursts and routine ERROR lines, none of which crosses an alert threshold or is cured by anything", async () => {
    const rpsBefore = c.traffic("catalog")?.rps ?? 0;
    const id = c.inject({ kind: "noise", namespace: "shop", target: "catalog" });

    // Live: a traffic peak first (× 1.3), served without errors or saturation.
    expect((c.traffic("catalog")?.rps ?? 0) / rpsBefore).toBeGreaterThan(1.2);
    const red = await redOver(c, "catalog", 2000);
    expect(red.serverErrors).toBeLessThan(0.01);
    // Logs: the routine ERROR line, at its steady rate of one per pod every 5 s.
    await waitFor("routine ERROR lines in catalog's logs", () => logsOf("catalog").some((l) => /"level":"error".*"msg":"upstream client closed connection"/.test(l)), 10_000);

    // Over a few minutes, as the rules see it: bot bursts of 404s, never a 5xx share or a CPU that would alert.
    const fault = activeFault(id);
    const from = new Date(fault.injectedAt).getTime();
    const series = windowedServerErrors(fault, "catalog", from, 300);
    expect(Math.max(...series.map((p) => p.share))).toBeLessThan(0.02);
    expect(Math.max(...series.map((p) => p.saturation))).toBeLessThan(1);
    expect(Math.max(...series.map((p) => p.clientErrors))).toBeGreaterThan(0.15);
    const burstAt = from + NOISE_BOTS.offsetMs + 1000;
    expect(series.find((p) => p.at === burstAt)?.clientErrors).toBeGreaterThan(0.15);
    expect(series.find((p) => p.at === burstAt - 2000)?.clientErrors).toBeLessThan(0.05);
    // The traces show no failing catalog spans beyond the baseline's one in a thousand.
    const spans = c.spans(60_000, (s) => s.service === "catalog" && s.kind === "SPAN_KIND_SERVER");
    expect(spans.filter((s) => s.error).length / Math.max(1, spans.length)).toBeLessThan(0.02);

    // Nothing is broken: a restart changes nothing and cures nothing.
    await c.kubectl(["rollout", "restart", "deployment/catalog"], "scarlet");
    await waitFor("catalog restarted", () => c.rolledOut("catalog"), 30_000);
    await sleep(300);
    expect(c.fault(id)?.cured).toBe(false);
    expect(c.registry.clear(id)).toBe(true);
  }, 60_000);

  it("writes params.message in place of its routine ERROR line", async () => {
    const id = c.inject({ kind: "noise", namespace: "shop", target: "cart", params: { message: "noise from the test" } });
    await waitFor("the message in cart's logs", () => logsOf("cart").includes("noise from the test"), 10_000);
    expect(c.registry.clear(id)).toBe(true);
  }, 20_000);
});
