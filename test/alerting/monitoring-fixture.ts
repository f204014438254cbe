import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type AddressInfo, type Server } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AlertmanagerWebhook } from "@autodevops/shared";
import { createAlertReceiver } from "../../scripts/supervisor/monitoring/alert-receiver.js";
import { ALERTMANAGER, alertmanagerArgs, findProgram, PROMETHEUS, prometheusArgs, type Program } from "../../scripts/supervisor/monitoring/commands.js";
import { writeAlertmanagerFiles, writePrometheusFiles } from "../../scripts/supervisor/monitoring/config-files.js";
import { SandboxClusters, scrapeTargets } from "../../scripts/supervisor/monitoring/scrape-targets.js";
import { startProcess, type ManagedProcess } from "../../scripts/supervisor/process-runner.js";

/**
 * A real Prometheus and Alertmanager, as `npm start` configures them (the same generators),
 * on free ports with their data in a temporary directory, and the supervisor's alert receiver
 * on a free port standing in for Scarlet's `POST /alerts`.
 */

export const RULES_FILE = fileURLToPath(new URL("../../deploy/prometheus/rules.yaml", import.meta.url));

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing";
  activeAt: string;
  value: string;
}

function need(program: Program): string {
  const found = findProgram(program, process.env.PATH);
  if (!found) throw new Error(`${program.names[0]} is not installed: run \`${program.install}\``);
  return found;
}

async function freePort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitReady(name: string, url: string, proc: ManagedProcess, withinMs = 30_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (proc.exit()) throw new Error(`${name} exited: ${proc.lastLines().join("\n")}`);
    const status = await fetch(url).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} was not ready at ${url} within ${withinMs} ms: ${proc.lastLines().join("\n")}`);
}

export interface MonitoringOptions {
  /** The sandbox's control API. */
  controlUrl: string;
  dir: string;
  scrapeInterval: string;
  /** Alertmanager's group_wait / group_interval. */
  groupWait: string;
  groupInterval: string;
  /** Where Alertmanager sends its notifications instead of the fixture's own receiver (Scarlet's POST /alerts). */
  webhook?: { url: string; token: string };
}

/** Receiver, Alertmanager and Prometheus, started in that order; `stop()` stops them in reverse. */
export async function startMonitoring(opts: MonitoringOptions) {
  const prometheusBin = need(PROMETHEUS);
  const alertmanagerBin = need(ALERTMANAGER);
  const procs: ManagedProcess[] = [];
  const output: string[] = [];
  const notifications: AlertmanagerWebhook[] = [];
  const refused: string[] = [];
  const token = randomBytes(24).toString("base64url");
  const receiver = createAlertReceiver({
    token,
    log: { info: () => undefined, warn: (fields) => void refused.push(JSON.stringify(fields)) },
    onNotification: (n) => notifications.push(n),
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const stop = async () => {
    for (const p of procs.reverse()) await p.stop(5_000);
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  };
  try {
    const amPort = await freePort();
    const alertmanagerUrl = `http://127.0.0.1:${amPort}`;
    const amConfig = await writeAlertmanagerFiles(path.join(opts.dir, "alertmanager"), {
      webhookUrl: opts.webhook?.url ?? `${receiverUrl}/alerts`,
      token: opts.webhook?.token ?? token,
      groupWait: opts.groupWait,
      groupInterval: opts.groupInterval,
      repeatInterval: "1h",
    });
    const am = startProcess({
      name: "alertmanager",
      command: alertmanagerBin,
      args: alertmanagerArgs({ configFile: amConfig, dataDir: path.join(opts.dir, "alertmanager", "data"), listen: `127.0.0.1:${amPort}` }),
      cwd: opts.dir,
      env: process.env,
      stdin: "ignore",
      onLine: (l) => void output.push(`alertmanager: ${l}`),
      keepLines: 40,
    });
    procs.push(am);
    await waitReady("alertmanager", `${alertmanagerUrl}/-/ready`, am);

    const clusters = SandboxClusters.parse(await (await fetch(`${opts.controlUrl}/sandbox/clusters`)).json());
    const targets = scrapeTargets(clusters, await readFile(clusters.kubeconfig, "utf8"));
    if (!targets.ok) throw new Error(targets.error);
    const promPort = await freePort();
    const prometheusUrl = `http://127.0.0.1:${promPort}`;
    const promConfig = await writePrometheusFiles(path.join(opts.dir, "prometheus"), targets.value, {
      ruleFiles: [RULES_FILE],
      alertmanagerUrl,
      scrapeInterval: opts.scrapeInterval,
      evaluationInterval: opts.scrapeInterval,
    });
    const prom = startProcess({
      name: "prometheus",
      command: prometheusBin,
      args: prometheusArgs({ configFile: promConfig, dataDir: path.join(opts.dir, "prometheus", "data"), listen: `127.0.0.1:${promPort}`, retention: "1d" }),
      cwd: opts.dir,
      env: process.env,
      stdin: "ignore",
      onLine: (l) => void output.push(`prometheus: ${l}`),
      keepLines: 40,
    });
    procs.push(prom);
    await waitReady("prometheus", `${prometheusUrl}/-/ready`, prom);

    const api = async <T>(pathAndQuery: string): Promise<T> => {
      const r = await fetch(`${prometheusUrl}${pathAndQuery}`);
      const body = (await r.json()) as { status: string; data: T; error?: string };
      if (body.status !== "success") throw new Error(`Prometheus ${pathAndQuery}: ${body.error ?? r.status}`);
      return body.data;
    };
    return {
      prometheusUrl,
      alertmanagerUrl,
      receiverUrl,
      token,
      notifications,
      refused,
      output,
      /** Pending and firing alerts, as Prometheus evaluates them now. */
      alerts: async () => (await api<{ alerts: PromAlert[] }>("/api/v1/alerts")).alerts,
      targets: async () => (await api<{ activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }> }>("/api/v1/targets")).activeTargets,
      query: async (q: string) => (await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(`/api/v1/query?query=${encodeURIComponent(q)}`)).result,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
