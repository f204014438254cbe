// The sandbox's telemetry: size of each cluster's /metrics and the time to render it (what a
// Prometheus scrape costs the sandbox). Loki and Tempo latencies join when those APIs exist.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createLogger } from "@autodevops/shared";
import { startSandbox } from "@autodevops/sandbox";

const SCRAPES = Number(process.env.BENCH_TELEMETRY_SCRAPES ?? 100);

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

export async function benchSandboxTelemetry(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "bench-telemetry-"));
  const sandbox = await startSandbox({ dataDir, host: "127.0.0.1", controlPort: 0, log: createLogger({ service: "bench", level: "warn" }) });
  try {
    // Let the kubelets bring every pod up so the series are those of a running estate.
    await new Promise((r) => setTimeout(r, 5_000));
    console.log("\nsandbox-telemetry: /metrics per cluster");
    console.log(`${"cluster".padEnd(10)}${"series".padStart(8)}${"bytes".padStart(10)}${"render p50 ms".padStart(15)}${"render p99 ms".padStart(15)}`);
    for (const c of sandbox.clusters) {
      const times: number[] = [];
      let body = "";
      for (let i = 0; i < SCRAPES; i++) {
        const t0 = performance.now();
        body = sandbox.telemetry.render(c.name) ?? "";
        times.push(performance.now() - t0);
      }
      const series = body.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length;
      console.log(`${c.name.padEnd(10)}${String(series).padStart(8)}${String(Buffer.byteLength(body)).padStart(10)}${percentile(times, 50).toFixed(2).padStart(15)}${percentile(times, 99).toFixed(2).padStart(15)}`);
    }
  } finally {
    await sandbox.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await benchSandboxTelemetry();
