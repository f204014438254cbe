import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@autodevops/shared/testing";
import { startMonitoring } from "../alerting/monitoring-fixture.js";
import { resetEstate, startRig, type ScarletRig } from "./scarlet-fixture.js";

// The whole alert path on the real binaries: the sandbox's metrics scraped by Prometheus, rules
// from deploy/prometheus/rules.yaml firing, Alertmanager notifying Scarlet's POST /alerts with
// its bearer token, and Scarlet folding the alerts into the incident its own watch opened.
let rig: ScarletRig;
let monitoring: Awaited<ReturnType<typeof startMonitoring>>;
let dir: string;

beforeAll(async () => {
  rig = await startRig();
  dir = await mkdtemp(path.join(tmpdir(), "scarlet-alert-path-"));
  monitoring = await startMonitoring({
    controlUrl: rig.sandbox.controlUrl,
    dir,
    scrapeInterval: "1s",
    groupWait: "1s",
    groupInterval: "2s",
    webhook: { url: `${rig.url}/alerts`, token: rig.alertsToken },
  });
  await rig.start({ PROMETHEUS_URL: monitoring.prometheusUrl });
}, 180_000);
afterAll(async () => {
  await monitoring?.stop();
  await rig?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("sandbox -> Prometheus -> Alertmanager -> Scarlet", () => {
  it("takes Alertmanager's alerts for a fault into the one incident of its root cause, and escalates what no action cures", async () => {
    await resetEstate(rig);
    const t0 = new Date();
    await rig.inject({ kind: "disk-pressure", target: "catalog-db" });
    const incident = await rig.incidentFor("catalog-db", t0, 150_000, (i) => i.signals.some((s) => s.source === "alertmanager"));
    expect(incident.signals.filter((s) => s.source === "alertmanager").map((s) => s.name)).toContain("KubePersistentVolumeFillingUp");
    expect(incident.rootCause).toMatchObject({ kind: "disk-pressure", workload: "catalog-db" });
    expect(incident.decision?.route).toBe("escalate");
    // One incident for the volume: the alert joined the telemetry check's incident rather than opening its own.
    const forVolume = (await rig.incidents(t0)).filter((i) => i.fingerprint === incident.fingerprint);
    expect(forVolume.map((i) => i.id)).toEqual([incident.id]);
    const accepted = await eventually(
      async () => (await rig.query<{ n: string }>("SELECT count(*) n FROM audit_events WHERE type = 'input.rejected'"))[0]?.n === "0" && true,
      "no notification refused",
      5000,
    );
    expect(accepted).toBe(true);
    expect(await rig.mutations(t0).then((ms) => ms.filter((m) => m.user.includes("scarlet")))).toEqual([]);
  }, 240_000);
});
