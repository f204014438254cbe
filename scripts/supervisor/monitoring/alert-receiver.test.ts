import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertmanagerWebhook } from "../../../packages/shared/src/domain/alertmanager-webhook.js";
import { createAlertReceiver, describeAlert } from "./alert-receiver.js";

const TOKEN = "webhook-token-0123456789";
const lines: string[] = [];
const received: AlertmanagerWebhook[] = [];
const server = createAlertReceiver({
  token: TOKEN,
  log: { info: (_fields, message) => void lines.push(message), warn: (fields, message) => void lines.push(`${message} ${JSON.stringify(fields)}`) },
  onNotification: (n) => received.push(n),
});
let base: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const alert = (status: "firing" | "resolved", labels: Record<string, string>) => ({
  status,
  labels,
  annotations: { summary: "s" },
  startsAt: "2026-11-23T10:00:00.000Z",
  endsAt: status === "firing" ? "0001-01-01T00:00:00Z" : "2026-11-23T10:02:00.000Z",
  generatorURL: "http://127.0.0.1:9090/graph",
  fingerprint: "abc123",
});
const notification = {
  version: "4",
  groupKey: '{}:{alertname="KubePodCrashLooping"}',
  truncatedAlerts: 0,
  status: "firing",
  receiver: "scarlet",
  groupLabels: { alertname: "KubePodCrashLooping", cluster: "prod", namespace: "shop" },
  commonLabels: { alertname: "KubePodCrashLooping" },
  commonAnnotations: {},
  externalURL: "http://127.0.0.1:9093",
  alerts: [
    alert("firing", { alertname: "KubePodCrashLooping", cluster: "prod", namespace: "shop", pod: "cart-5d8f-x2x9z", workload: "cart", workload_type: "Deployment" }),
    alert("resolved", { alertname: "KubeNodeNotReady", cluster: "staging", node: "node-a" }),
  ],
};
const post = (body: unknown, token: string | null = TOKEN) =>
  fetch(`${base}/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("the local alert receiver", () => {
  it("takes a v4 notification with the right token and logs one line per alert", async () => {
    const res = await post(notification);
    expect(res.status).toBe(200);
    expect(received.at(-1)?.alerts).toHaveLength(2);
    expect(lines.slice(-2)).toEqual(["firing KubePodCrashLooping prod/shop pod cart-5d8f-x2x9z (Deployment cart)", "resolved KubeNodeNotReady staging node node-a"]);
  });

  it("answers 401 without the bearer token or with another one", async () => {
    expect((await post(notification, null)).status).toBe(401);
    expect((await post(notification, "not-the-token")).status).toBe(401);
  });

  it("answers 400 naming what is wrong with a body that is not a v4 notification", async () => {
    const bad = await post({ ...notification, version: "3", alerts: [{ ...notification.alerts[0], fingerprint: "" }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('version: expected version "4" (Alertmanager webhook payload); alerts.0.fingerprint: Too small: expected string to have >=1 characters');
    const notJson = await post("{");
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: "body is not JSON" });
  });

  it("answers its health probes, and 404/405 elsewhere", async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/alerts`)).status).toBe(405);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});

describe("describeAlert", () => {
  it("names a service alert by its service", () => {
    expect(describeAlert(alert("firing", { alertname: "HighErrorRate", cluster: "prod", namespace: "platform", service: "ingress-gateway", workload: "ingress-gateway" }))).toBe(
      "firing HighErrorRate prod/platform service ingress-gateway",
    );
  });
});
