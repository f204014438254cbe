import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startSandbox, type RunningSandbox } from "@autodevops/sandbox";
import { clustersFromSandbox } from "@autodevops/scarlet";
import { createLogger } from "@autodevops/shared";
import { eventually } from "@autodevops/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TelemetryRecorder } from "./telemetry-recorder.js";

const log = createLogger({ service: "jamie-test", level: "silent" });
let dir: string;
let sandbox: RunningSandbox;
let recorder: TelemetryRecorder;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "jamie-recorder-"));
  sandbox = await startSandbox({ dataDir: dir, host: "127.0.0.1", controlPort: 0, log });
  // As Jamie's boot reads them: the scrape targets with the sandbox's CA and Jamie's own token.
  const setup = await clustersFromSandbox(sandbox.controlUrl, { waitMs: 10_000, identity: "jamie" });
  expect(setup.clusters.map((c) => c.context).sort()).toEqual(["jamie@prod", "jamie@staging"]);
  recorder = new TelemetryRecorder({ clusters: setup.scrape, intervalMs: 1_000, log });
  recorder.start();
});

afterAll(async () => {
  await recorder?.stop();
  await sandbox?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("the telemetry recorder against the sandbox", () => {
  it("charts a crash-looping workload's restarts climbing, with its memory, error rate and p99 beside them", async () => {
    const openedAt = new Date().toISOString();
    const r = await fetch(`${sandbox.controlUrl}/sandbox/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ kind: "crashloop", namespace: "shop", target: "cart" }) });
    expect(r.status).toBe(201);
    const incident = { cluster: "prod", namespace: "shop", workload: "cart", openedAt };
    const climbed = await eventually(() => {
      const restarts = recorder.metricsFor(incident).find((s) => s.name === "restarts")?.points ?? [];
      const first = restarts[0]?.[1];
      const last = restarts.at(-1)?.[1];
      return first !== undefined && last !== undefined && last >= first + 2 ? restarts : undefined;
    }, "cart's restarts to climb by two in the recorded series", 60_000, 500);
    expect(climbed.map(([t]) => t)).toEqual([...climbed.map(([t]) => t)].sort((a, b) => a - b));

    const series = Object.fromEntries(recorder.metricsFor(incident).map((s) => [s.name, s]));
    expect(series["memory working set"]?.unit).toBe("bytes");
    expect(series["memory working set"]?.points.length).toBeGreaterThan(0);
    // A container in back-off has no working set; the running ones have megabytes.
    expect(series["memory working set"]?.points.every(([, v]) => v >= 0)).toBe(true);
    expect(series["memory working set"]?.points.some(([, v]) => v > 1024 * 1024)).toBe(true);
    expect(series["error rate (5xx share)"]?.points.length).toBeGreaterThan(0);
    expect(series["error rate (5xx share)"]?.points.every(([, v]) => v >= 0 && v <= 1)).toBe(true);
    expect(series["p99 latency"]?.points.length).toBeGreaterThan(0);
    expect(series["p99 latency"]?.points.every(([, v]) => v > 0 && v < 60)).toBe(true);
    // Another cluster's cart is charted from its own scrapes: staging has no fault.
    const staging = recorder.metricsFor({ ...incident, cluster: "staging" }).find((s) => s.name === "restarts")?.points ?? [];
    expect(staging.length).toBeGreaterThan(0);
    expect(staging.every(([, v]) => v === 0)).toBe(true);
  }, 90_000);

  it("records both clusters while running, and holds nothing once stopped", async () => {
    const held = recorder.held();
    expect(Object.keys(held).sort()).toEqual(["prod", "staging"]);
    for (const h of Object.values(held)) expect(h.frames).toBeGreaterThan(0);
    await recorder.stop();
    expect(recorder.held()).toEqual({});
    expect(recorder.metricsFor({ cluster: "prod", namespace: "shop", workload: "cart", openedAt: new Date().toISOString() }).every((s) => s.points.length === 0)).toBe(true);
  });
});
