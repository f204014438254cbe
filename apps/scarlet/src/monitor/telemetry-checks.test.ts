import { describe, expect, it } from "vitest";
import type { Observation } from "../detectors/observations.js";
import { startTelemetryChecks } from "./telemetry-checks.js";
import type { TelemetryRound, TelemetrySource } from "./telemetry-source.js";

const memory: Observation = { type: "memory", cluster: "prod", namespace: "shop", workload: "cart", pod: "cart-0", container: "cart", workingSetBytes: 1 };

function recorder() {
  const warnings: Array<Record<string, unknown>> = [];
  const log = { warn: (fields: object) => void warnings.push(fields as Record<string, unknown>), debug: () => undefined };
  return { warnings, log: log as unknown as Parameters<typeof startTelemetryChecks>[0]["log"] };
}

/** A source that answers when released, counting its rounds. */
function gatedSource(round: () => TelemetryRound | Promise<TelemetryRound>) {
  let calls = 0;
  const source: TelemetrySource = {
    kind: "prometheus",
    async collect() {
      calls++;
      return round();
    },
  };
  return { source, calls: () => calls };
}

describe("startTelemetryChecks", () => {
  it("hands on a round's observations and warns once per failing query while it keeps failing", async () => {
    const { warnings, log } = recorder();
    const { source } = gatedSource(() => ({ observations: [memory], failures: [{ what: "query:p99", error: "HTTP 503" }] }));
    const seen: Observation[][] = [];
    let t = 0;
    const checks = startTelemetryChecks({ source, intervalMs: 60_000, onObservations: (o) => seen.push(o), log, now: () => new Date(t) });
    expect(await checks.runOnce()).toEqual([memory]);
    t = 10_000;
    await checks.runOnce();
    t = 70_000;
    await checks.runOnce();
    await checks.stop();
    expect(seen).toEqual([[memory], [memory], [memory]]);
    expect(warnings).toEqual([
      { source: "prometheus", what: "query:p99", error: "HTTP 503" },
      { source: "prometheus", what: "query:p99", error: "HTTP 503", suppressed: 1 },
    ]);
  });

  it("survives a source that throws and a consumer that throws", async () => {
    const { warnings, log } = recorder();
    let fail = true;
    const { source } = gatedSource(() => {
      if (fail) throw new Error("connection refused");
      return { observations: [memory], failures: [] };
    });
    const checks = startTelemetryChecks({
      source,
      intervalMs: 60_000,
      onObservations: () => {
        throw new Error("consumer bug");
      },
      log,
    });
    expect(await checks.runOnce()).toEqual([]);
    fail = false;
    expect(await checks.runOnce()).toEqual([memory]);
    await checks.stop();
    expect(warnings.map((w) => [w.what, w.error])).toEqual([
      ["collect", "connection refused"],
      ["onObservations", "consumer bug"],
    ]);
  });

  it("skips ticks while a slow round is still running instead of piling rounds up", async () => {
    const { log } = recorder();
    let release: () => void = () => undefined;
    const { source, calls } = gatedSource(() => new Promise<TelemetryRound>((r) => (release = () => r({ observations: [memory], failures: [] }))));
    const checks = startTelemetryChecks({ source, intervalMs: 20, onObservations: () => undefined, log });
    await new Promise((r) => setTimeout(r, 200));
    expect(calls()).toBe(1);
    const again = checks.runOnce();
    release();
    expect(await again).toEqual([memory]);
    expect(calls()).toBe(1);
    await checks.stop();
  });
});
