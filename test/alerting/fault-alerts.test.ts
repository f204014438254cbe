import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlertmanagerWebhook } from "@autodevops/shared";
import { eventually, startSandboxFixture } from "../sandbox/sandbox-fixture.js";
import { startMonitoring, type PromAlert } from "./monitoring-fixture.js";

/**
 * Each simulated fault kind, injected into a real sandbox that a real Prometheus scrapes with
 * deploy/prometheus/rules.yaml: its alert fires, reaches a webhook through a real Alertmanager
 * in the v4 payload, and resolves (with a resolved notification) once the right cure has been
 * applied through the Kubernetes API. The rules' `for:` is 1m30s, so every fault runs at once,
 * each on its own workload (prod) or node (staging), with 1s scrapes and evaluations.
 */

type Sandbox = Awaited<ReturnType<typeof startSandboxFixture>>;
type Kubectl = Sandbox["kubectl"];

interface AlertMatch {
  alertname: string;
  /** Labels the alert must carry besides `cluster` (always the row's). */
  labels: Record<string, string>;
}

interface FaultCase {
  kind: string;
  cluster: "prod" | "staging";
  namespace: string;
  target: string;
  params?: Record<string, unknown>;
  /** What makes the symptom show, when the fault alone does not (a config-error shows on the next restart). */
  trigger?: (kubectl: Kubectl) => Promise<unknown>;
  /** Alerts that must fire, reach the webhook, and resolve after the cure. */
  alerts: AlertMatch[];
  /** The cure, through the Kubernetes API. */
  cure: (kubectl: Kubectl) => Promise<unknown>;
  /**
   * "repair": the cure leaves the alert standing until the sandbox lets the fault go (a
   * cordoned and drained node is still NotReady until someone repairs it).
   */
  resolvedBy?: "cure" | "repair";
}

const restart = (kind: "deploy" | "sts", ns: string, name: string) => (k: Kubectl) => k(["rollout", "restart", `${kind}/${name}`, "-n", ns]);
const undo = (ns: string, name: string) => (k: Kubectl) => k(["rollout", "undo", `deploy/${name}`, "-n", ns]);
const workloadAlert = (alertname: string, namespace: string, workload: string): AlertMatch => ({ alertname, labels: { namespace, workload } });

/** One row per simulated fault kind: a kind is added with one row. */
const CASES: FaultCase[] = [
  {
    kind: "crashloop",
    cluster: "prod",
    namespace: "shop",
    target: "cart",
    alerts: [workloadAlert("KubePodCrashLooping", "shop", "cart")],
    cure: restart("deploy", "shop", "cart"),
  },
  {
    kind: "dependency-down",
    cluster: "prod",
    namespace: "shop",
    target: "redis-cart",
    alerts: [workloadAlert("KubePodCrashLooping", "shop", "redis-cart")],
    cure: restart("sts", "shop", "redis-cart"),
  },
  {
    kind: "oom",
    cluster: "prod",
    namespace: "shop",
    target: "payments",
    alerts: [workloadAlert("KubePodCrashLooping", "shop", "payments")],
    // The working set is 1.2 × the 384Mi limit; the cure needs >= 1.5 × that (691Mi).
    cure: (k) => k(["set", "resources", "deploy/payments", "-n", "shop", "--limits=memory=768Mi"]),
  },
  {
    kind: "bad-rollout",
    cluster: "prod",
    namespace: "shop",
    target: "checkout",
    params: { mode: "crash" },
    alerts: [workloadAlert("KubePodCrashLooping", "shop", "checkout")],
    cure: undo("shop", "checkout"),
  },
  {
    kind: "image-pull",
    cluster: "prod",
    namespace: "batch",
    target: "report-gen",
    alerts: [workloadAlert("KubePodNotReady", "batch", "report-gen")],
    cure: undo("batch", "report-gen"),
  },
  {
    kind: "probe-failure",
    cluster: "prod",
    namespace: "platform",
    target: "ingress-gateway",
    alerts: [workloadAlert("KubePodNotReady", "platform", "ingress-gateway")],
    cure: undo("platform", "ingress-gateway"),
  },
  {
    kind: "hung-replica",
    cluster: "prod",
    namespace: "shop",
    target: "catalog",
    alerts: [workloadAlert("KubePodNotReady", "shop", "catalog")],
    cure: async (k) => {
      // The hung one is Running but not Ready; deleting that one pod cures it.
      const pods = JSON.parse(await k(["get", "pods", "-n", "shop", "-l", "app=catalog", "-o", "json"])) as {
        items: Array<{ metadata: { name: string; deletionTimestamp?: string }; status: { conditions?: Array<{ type: string; status: string }> } }>;
      };
      const hung = pods.items.find((p) => !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === "Ready" && c.status !== "True"));
      if (!hung) throw new Error("no catalog pod is unready");
      return k(["delete", "pod", hung.metadata.name, "-n", "shop", "--wait=false"]);
    },
  },
  {
    kind: "config-error",
    cluster: "prod",
    namespace: "shop",
    target: "catalog-db",
    params: { key: "PGDATA" },
    // Running pods keep the env they started with; the next pod is the one that fails.
    trigger: restart("sts", "shop", "catalog-db"),
    alerts: [workloadAlert("KubePodNotReady", "shop", "catalog-db")],
    cure: (k) => k(["patch", "configmap", "catalog-db-config", "-n", "shop", "--type=merge", "-p", JSON.stringify({ data: { PGDATA: "/var/lib/postgresql/data/pgdata" } })]),
  },
  {
    kind: "scaled-to-zero",
    cluster: "prod",
    namespace: "shop",
    target: "frontend",
    // Nothing is wrong with frontend's own replicas (0 of 0); its caller answers 503.
    alerts: [{ alertname: "HighErrorRate", labels: { namespace: "platform", service: "ingress-gateway" } }],
    cure: (k) => k(["scale", "deploy/frontend", "-n", "shop", "--replicas=3"]),
  },
  {
    kind: "node-not-ready",
    cluster: "staging",
    namespace: "",
    target: "node-a",
    alerts: [{ alertname: "KubeNodeNotReady", labels: { node: "node-a" } }],
    cure: async (k) => {
      await k(["--context", "staging", "cordon", "node-a"]);
      return k(["--context", "staging", "drain", "node-a", "--ignore-daemonsets", "--delete-emptydir-data", "--force", "--timeout=60s"], { timeoutMs: 90_000 });
    },
    resolvedBy: "repair",
  },
];

const matches = (labels: Record<string, string>, c: FaultCase, m: AlertMatch) =>
  labels.alertname === m.alertname && labels.cluster === c.cluster && Object.entries(m.labels).every(([k, v]) => labels[k] === v);

const seconds = (ms: number) => `${(ms / 1000).toFixed(0)}s`;

let sb: Sandbox;
let mon: Awaited<ReturnType<typeof startMonitoring>>;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "alerting-e2e-"));
  sb = await startSandboxFixture();
  mon = await startMonitoring({ controlUrl: sb.sandbox.controlUrl, dir, scrapeInterval: "1s", groupWait: "1s", groupInterval: "1s" });
}, 120_000);

afterAll(async () => {
  await mon?.stop();
  await sb?.sandbox.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface FaultView {
  id: string;
  cured: boolean;
  curedBy?: string;
}

async function inject(c: FaultCase): Promise<string> {
  const res = await fetch(`${sb.sandbox.controlUrl}/sandbox/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ kind: c.kind, cluster: c.cluster, namespace: c.namespace, target: c.target, params: c.params ?? {} }),
  });
  const body = (await res.json()) as { id?: string; error?: string };
  if (res.status !== 201 || body.id === undefined) throw new Error(`inject ${c.kind}: ${res.status} ${body.error}`);
  return body.id;
}

const faultList = async () => ((await (await fetch(`${sb.sandbox.controlUrl}/sandbox/faults`)).json()) as { faults: FaultView[] }).faults;

/** Inject, see the alerts fire and reach the webhook, cure, see them resolve; returns the timings. */
async function runCase(c: FaultCase, t0: number) {
  const kubectl: Kubectl = (args, opts) => sb.kubectl(c.cluster === "prod" || args[0] === "--context" ? args : ["--context", c.cluster, ...args], opts);
  const id = await inject(c);
  await c.trigger?.(kubectl);
  const firing = (alerts: PromAlert[], m: AlertMatch) => alerts.some((a) => a.state === "firing" && matches(a.labels, c, m));
  await eventually(
    async () => {
      const alerts = await mon.alerts();
      return c.alerts.every((m) => firing(alerts, m)) || undefined;
    },
    `${c.kind}: ${c.alerts.map((m) => m.alertname).join(", ")} firing`,
    200_000,
  );
  const firedAfter = Date.now() - t0;
  await eventually(
    () => c.alerts.every((m) => mon.notifications.some((n) => n.alerts.some((a) => a.status === "firing" && matches(a.labels, c, m)))) || undefined,
    `${c.kind}: the firing notification at the webhook`,
    30_000,
  );
  const curedAt = Date.now();
  await c.cure(kubectl);
  const cured = await eventually(async () => (await faultList()).find((f) => f.id === id && f.cured), `${c.kind}: the sandbox sees the fault cured`, 60_000);
  expect(cured.curedBy, `${c.kind} cured by`).toBe("admin");
  if (c.resolvedBy === "repair") {
    const res = await fetch(`${sb.sandbox.controlUrl}/sandbox/faults/${id}`, { method: "DELETE" });
    expect(res.status).toBeLessThan(300);
  }
  await eventually(
    async () => {
      const alerts = await mon.alerts();
      return c.alerts.every((m) => !alerts.some((a) => matches(a.labels, c, m))) || undefined;
    },
    `${c.kind}: ${c.alerts.map((m) => m.alertname).join(", ")} resolved`,
    120_000,
  );
  const resolvedAfterCure = Date.now() - curedAt;
  await eventually(
    () => c.alerts.every((m) => mon.notifications.some((n) => n.alerts.some((a) => a.status === "resolved" && matches(a.labels, c, m)))) || undefined,
    `${c.kind}: the resolved notification at the webhook`,
    60_000,
  );
  return { kind: c.kind, alerts: c.alerts.map((m) => m.alertname).join(","), firedAfter: seconds(firedAfter), resolvedAfterCure: seconds(resolvedAfterCure) };
}

describe("alerts from the sandbox's faults through a real Prometheus and Alertmanager", () => {
  it(
    "fires each fault kind's alert, delivers it as a v4 webhook with cluster and namespace, and resolves it after the cure",
    async () => {
      // Both clusters scraped, each with its cluster label.
      await eventually(
        async () => {
          const targets = await mon.targets();
          return targets.length === 2 && targets.every((t) => t.health === "up") ? targets : undefined;
        },
        "both clusters' targets up",
        30_000,
      );
      expect((await mon.targets()).map((t) => t.labels.cluster).sort()).toEqual(["prod", "staging"]);
      // The estate settled: every deployment has its replicas, so the faults start from health.
      await eventually(
        async () => {
          const gap = await mon.query("sum by (cluster) (kube_deployment_spec_replicas - kube_deployment_status_replicas_available)");
          return gap.length === 2 && gap.every((s) => s.value[1] === "0") ? gap : undefined;
        },
        "every deployment available in both clusters",
        60_000,
      );

      const t0 = Date.now();
      const settled = await Promise.allSettled(CASES.map((c) => runCase(c, t0)));
      const report = settled.map((s, i) => (s.status === "fulfilled" ? s.value : { kind: CASES[i]?.kind, error: (s.reason as Error).message }));
      process.stdout.write(`fault alerts (from injection / after the cure), total ${seconds(Date.now() - t0)}:\n${report.map((r) => `  ${JSON.stringify(r)}`).join("\n")}\n`);
      if (settled.some((s) => s.status === "rejected")) {
        const active = (await mon.alerts()).map((a) => `${a.state} ${a.labels.alertname} ${JSON.stringify(a.labels)}`);
        process.stdout.write(`active alerts now:\n  ${active.join("\n  ")}\n`);
      }
      expect(report.filter((r) => "error" in r)).toEqual([]);

      // Every notification the webhook took is a valid v4 payload whose alerts carry cluster and namespace labels (nodes have none).
      expect(mon.refused).toEqual([]);
      expect(mon.notifications.length).toBeGreaterThan(0);
      for (const n of mon.notifications) {
        expect(AlertmanagerWebhook.safeParse(n).success).toBe(true);
        expect(n.version).toBe("4");
        expect(n.groupLabels.cluster).toMatch(/^(prod|staging)$/);
        for (const a of n.alerts) {
          expect(a.labels.cluster).toBe(n.groupLabels.cluster);
          if (a.labels.alertname !== "KubeNodeNotReady") expect(a.labels.namespace, JSON.stringify(a.labels)).toBeTruthy();
        }
      }
    },
    360_000,
  );
});
