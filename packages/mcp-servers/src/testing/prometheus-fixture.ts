import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
// The generators `npm start` uses, so the test's Prometheus is configured as the product's is.
import { findProgram, PROMETHEUS, prometheusArgs } from "../../../../scripts/supervisor/monitoring/commands.js";
import { writePrometheusFiles } from "../../../../scripts/supervisor/monitoring/config-files.js";
import { startProcess, type ManagedProcess } from "../../../../scripts/supervisor/process-runner.js";

export const RULES_FILE = fileURLToPath(new URL("../../../../deploy/prometheus/rules.yaml", import.meta.url));

export type ScrapeCluster = { cluster: string; metricsUrl: string; caPem: string; token: string };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitReady(url: string, proc: ManagedProcess, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (proc.exit()) throw new Error(`prometheus exited: ${proc.lastLines().join("\n")}`);
    const status = await fetch(url).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`prometheus was not ready at ${url} within ${withinMs} ms: ${proc.lastLines().join("\n")}`);
}

/**
 * The machine's Prometheus on a free port with its data in a temporary directory, scraping each
 * cluster's /metrics over HTTPS (its CA, a bearer token, a `cluster` label) every `scrapeInterval`,
 * with deploy/prometheus/rules.yaml. Fails with how to install it when it is missing.
 */
export async function startPrometheus(clusters: ScrapeCluster[], opts: { scrapeInterval?: string } = {}) {
  const bin = findProgram(PROMETHEUS, process.env.PATH);
  if (!bin) throw new Error(`prometheus is not installed: run \`${PROMETHEUS.install}\``);
  const dir = await mkdtemp(path.join(tmpdir(), "mcp-prometheus-"));
  const interval = opts.scrapeInterval ?? "1s";
  let proc: ManagedProcess | undefined;
  try {
    const config = await writePrometheusFiles(dir, clusters, { ruleFiles: [RULES_FILE], scrapeInterval: interval, evaluationInterval: interval });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    proc = startProcess({
      name: "prometheus",
      command: bin,
      args: prometheusArgs({ configFile: config, dataDir: path.join(dir, "data"), listen: `127.0.0.1:${port}`, retention: "1d" }),
      cwd: dir,
      env: process.env,
      stdin: "ignore",
      onLine: () => undefined,
      keepLines: 40,
    });
    await waitReady(`${url}/-/ready`, proc, 30_000);
    const running = proc;
    return {
      url,
      stop: async () => {
        await running.stop(5_000);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await proc?.stop(5_000);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
