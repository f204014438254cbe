import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@autodevops/shared";
import { eventually } from "@autodevops/shared/testing";
import { startSandbox, type RunningSandbox } from "@autodevops/sandbox";
import { SandboxClusters, scrapeTargets } from "../../../../scripts/supervisor/monitoring/scrape-targets.js";
import { startMonitoring } from "../../../../test/alerting/monitoring-fixture.js";
import type { Observation } from "../detectors/observations.js";
import { prometheusSource, sandboxMetricsSource, startTelemetryChecks, type TelemetryChecks } from "./telemetry-checks.js";

// Both sources against a real sandbox: its /metrics read directly over HTTPS with its own CA and
// the read-only `scarlet` token (as Prometheus' scrape config does), and a real Prometheus
// configured by the same generators as `npm start`.
const log = createLogger({ service: "telemetry-test", level: "silent" });
let sandbox: RunningSandbox;
let dataDir: string;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "scarlet-telemetry-"));
  sandbox = await startSandbox({ dataDir, host: "127.0.0.1", controlPort: 0, log });
}, 60_000);
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await sandbox?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function targets() {
  const clusters = SandboxClusters.parse(await (await fetch(`${sandbox.controlUrl}/sandbox/clusters`)).json());
  const t = scrapeTargets(clusters, await readFile(clusters.kubeconfig, "utf8"));
  if (!t.ok) throw new Error(t.error);
  return t.value;
}

/** Runs the checks every `intervalMs`, keeping the latest round. */
function watch(source: Parameters<typeof startTelemetryChecks>[0]["source"], intervalMs: number, warnings: unknown[] = []) {
  let latest: Observation[] = [];
  const checks: TelemetryChecks = startTelemetryChecks({
    source,
    intervalMs,
    onObservations: (o) => (latest = o),
    log: { warn: (fields: object) => void warnings.push(fields), debug: () => undefined } as unknown as Parameters<typeof startTelemetryChecks>[0]["log"],
  });
  cleanups.push(() => checks.stop());
  return { latest: () => latest, checks };
}

const metric = (obs: Observation[], cluster: string, workload: string, check: string) =>
  obs.find((o): o is Extract<Observation, { type: "metric" }> => o.type === "metric" && o.cluster === cluster && o.namespace === "shop" && o.workload === workload && o.check === check)?.value;

describe("sandbox metrics source", () => {
  it("reads memory, request rates and a bad rollout's error share from the clusters' /metrics, and skips a cluster that does not answer", async () => {
    const clusters = (await targets()).map((t) => ({ name: t.cluster, metricsUrl: t.metricsUrl, ca: t.caPem, token: t.token }));
    expect(clusters.map((c) => c.name)).toContain("prod");
    const source = sandboxMetricsSource({ clusters: [...clusters, { name: "gone", metricsUrl: "https://127.0.0.1:1/metrics" }] });
    cleanups.push(() => source.close());
    const warnings: Array<Record<string, unknown>> = [];
    const { latest, checks } = watch(source, 1_000, warnings);

    const first = await checks.runOnce();
    // The first round has nothing to rate against yet.
    expect(first.filter((o) => o.type === "metric")).toEqual([]);
    expect(warnings).toContainEqual(expect.objectContaining({ source: "sandbox-metrics", what: "scrape:gone" }));

    // cAdvisor has series only for running containers: the estate may still be starting.
    const shopWorkloads = ["frontend", "checkout", "payments", "catalog-db"];
    const withLimits = await eventually(() => {
      const m = latest().filter((o): o is Extract<Observation, { type: "memory" }> => o.type === "memory" && o.cluster === "prod" && o.namespace === "shop" && (o.limitBytes ?? 0) > 0 && o.workingSetBytes > 0);
      return shopWorkloads.every((w) => m.some((o) => o.workload === w)) ? m : undefined;
    }, "memory with limits for the shop's containers", 30_000, 250);
    expect(withLimits.find((o) => o.workload === "catalog-db")?.pod).toBe("catalog-db-0");

    // Rates need a second scrape of the same series; a container that just started has none yet.
    const frontendChecks = ["request-rate", "error-share", "p99-latency", "cpu-saturation"];
    await eventually(() => frontendChecks.every((c) => metric(latest(), "prod", "frontend", c) !== undefined), "frontend's RED and CPU checks", 20_000, 250);
    expect(metric(latest(), "prod", "frontend", "request-rate")).toBeGreaterThan(0);
    // The sandbox's seeded noise makes a few errors: over a short window with few requests (a loaded
    // machine) one sample can be high; the calm share is what a later round settles to.
    await eventually(() => {
      const v = metric(latest(), "prod", "checkout", "error-share");
      return v !== undefined && v < 0.05 ? v : undefined;
    }, "checkout's calm error share under 5 %", 20_000, 250);
    expect(warnings.filter((w) => w.what === "scrape:gone")).toHaveLength(1);

    const r = sandbox.faults.inject({ kind: "bad-rollout", namespace: "shop", target: "checkout", params: { mode: "errors" } });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    if (process.env.DEBUG_TELEMETRY) process.stderr.write(latest().filter((o) => o.type === "metric" || o.type === "volume").map((o) => JSON.stringify(o)).join("\n") + "\n");
    await eventually(() => {
      const v = metric(latest(), "prod", "checkout", "error-share");
      return v !== undefined && v > 0.1 ? v : undefined;
    }, "checkout's error share above 10 %", 60_000, 500);
  }, 90_000);
});

describe("prometheus source", () => {
  it("reads the request rate of frontend in cluster prod from a real Prometheus scraping the sandbox", async () => {
    const monitoring = await startMonitoring({ controlUrl: sandbox.controlUrl, dir: path.join(dataDir, "monitoring"), scrapeInterval: "1s", groupWait: "1s", groupInterval: "1s" });
    cleanups.push(() => monitoring.stop());
    const warnings: Array<Record<string, unknown>> = [];
    const { latest } = watch(prometheusSource({ url: monitoring.prometheusUrl }), 1_000, warnings);
    const rps = await eventually(() => metric(latest(), "prod", "frontend", "request-rate"), "a request rate for frontend from Prometheus", 30_000, 250);
    expect(rps).toBeGreaterThan(0);
    const obs = latest();
    if (process.env.DEBUG_TELEMETRY) process.stderr.write(obs.filter((o) => o.type === "metric" && o.cluster === "prod").map((o) => JSON.stringify(o)).join("\n") + "\n");
    expect(obs.some((o) => o.type === "memory" && o.cluster === "prod" && o.workload === "frontend" && (o.limitBytes ?? 0) > 0)).toBe(true);
    expect(obs.some((o) => o.type === "memory" && o.cluster === "staging")).toBe(true);
    expect(metric(obs, "prod", "frontend", "error-share")).toBeTypeOf("number");
    expect(warnings).toEqual([]);
  }, 90_000);
});
