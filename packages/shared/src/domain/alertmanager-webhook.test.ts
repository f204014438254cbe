import { describe, expect, it } from "vitest";
import { AlertmanagerWebhook } from "./alertmanager-webhook.js";

// A notification as Alertmanager 0.25 sends it (trimmed from a real delivery).
const delivered = {
  receiver: "scarlet",
  status: "firing",
  alerts: [
    {
      status: "firing",
      labels: { alertname: "KubePodCrashLooping", cluster: "prod", namespace: "shop", pod: "cart-7d9f-abcde", container: "cart", workload: "cart", severity: "warning" },
      annotations: { summary: "Pod is crash looping." },
      startsAt: "2026-11-23T10:00:03.512Z",
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "http://127.0.0.1:9090/graph?g0.expr=...",
      fingerprint: "1b2c3d4e5f607182",
    },
  ],
  groupLabels: { alertname: "KubePodCrashLooping", cluster: "prod", namespace: "shop" },
  commonLabels: { alertname: "KubePodCrashLooping", cluster: "prod", namespace: "shop", severity: "warning" },
  commonAnnotations: { summary: "Pod is crash looping." },
  externalURL: "http://127.0.0.1:9093",
  version: "4",
  groupKey: '{}:{alertname="KubePodCrashLooping", cluster="prod", namespace="shop"}',
  truncatedAlerts: 0,
};

describe("AlertmanagerWebhook", () => {
  it("accepts a version 4 notification as Alertmanager delivers it, nanosecond times included", () => {
    const withNanos = { ...delivered, alerts: [{ ...delivered.alerts[0], startsAt: "2026-11-23T10:00:03.512345678+01:00" }] };
    expect(AlertmanagerWebhook.parse(withNanos).alerts[0]?.labels.cluster).toBe("prod");
  });

  it("fills truncatedAlerts when an older Alertmanager leaves it out", () => {
    const { truncatedAlerts: _left, ...older } = delivered;
    expect(AlertmanagerWebhook.parse(older).truncatedAlerts).toBe(0);
  });

  it("refuses another payload version, a bad status and an empty alert list, naming the field", () => {
    const issues = (body: unknown) => {
      const r = AlertmanagerWebhook.safeParse(body);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(issues({ ...delivered, version: "3" })).toEqual(['version: expected version "4" (Alertmanager webhook payload)']);
    expect(issues({ ...delivered, status: "pending" })[0]).toMatch(/^status: /);
    expect(issues({ ...delivered, alerts: [] })).toEqual(["alerts: expected at least one alert"]);
    expect(issues({ ...delivered, alerts: [{ ...delivered.alerts[0], startsAt: "yesterday" }] })).toEqual(["alerts.0.startsAt: expected an RFC 3339 time"]);
  });
});
