import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfigOrExit } from "../../../packages/shared/src/config/config.js";
import { createLogger } from "../../../packages/shared/src/logging/logger.js";
import { localBase } from "../components.js";
import { findProgram, PROMETHEUS, prometheusArgs } from "../monitoring/commands.js";
import { writePrometheusFiles } from "../monitoring/config-files.js";
import { SandboxClusters, scrapeTargets } from "../monitoring/scrape-targets.js";
import { listenAddress, runProgram } from "./run-program.js";

// The `prometheus` component: the machine's Prometheus with a generated configuration that
// scrapes both sandbox clusters (HTTPS, the sandbox's CA, a bearer token from its kubeconfig),
// evaluates deploy/prometheus/rules.yaml and alerts to ALERTMANAGER_URL. The sandbox makes a
// new CA and new tokens at each start, so the files are written at each start, after it.
// Config, credentials and data live in <DATA_DIR>/prometheus.

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const RULES = path.join(REPO_ROOT, "deploy/prometheus/rules.yaml");
// The rules' `for:` durations are compressed for the sandbox and assume scrapes of 15s or less.
const INTERVAL = "5s";

const config = loadConfigOrExit();
const log = createLogger({ service: "prometheus", level: config.logLevel });
const command = findProgram(PROMETHEUS, process.env.PATH);
if (command === undefined) {
  log.fatal(`Prometheus is not installed: ${PROMETHEUS.install}`);
  process.exit(1);
}
const res = await fetch(`${config.urls.sandbox}/sandbox/clusters`).catch((e: unknown) => {
  log.fatal({ sandbox: config.urls.sandbox, err: e }, "cannot reach the sandbox's control API");
  process.exit(1);
});
const clusters = SandboxClusters.parse(await res.json());
const targets = scrapeTargets(clusters, await readFile(clusters.kubeconfig, "utf8"));
if (!targets.ok) {
  log.fatal(targets.error);
  process.exit(1);
}
const dir = path.join(path.resolve(REPO_ROOT, config.dataDir), "prometheus");
// Each start's sandbox is new (new pods, counters from zero). An earlier run's series would stay
// visible for the 5m look-back (a stopped Prometheus writes no staleness markers) and alert
// about pods that no longer exist, so the time series start empty too.
await rm(path.join(dir, "data"), { recursive: true, force: true });
const alertmanagerUrl = config.telemetry.alertmanagerUrl;
const configFile = await writePrometheusFiles(dir, targets.value, {
  ruleFiles: [RULES],
  ...(alertmanagerUrl === undefined ? {} : { alertmanagerUrl }),
  scrapeInterval: INTERVAL,
  evaluationInterval: INTERVAL,
});
log.info({ configFile, clusters: targets.value.map((t) => `${t.cluster}=${t.metricsUrl}`).join(" "), alertmanager: alertmanagerUrl ?? "none" }, "prometheus.yml written");
runProgram({
  name: "prometheus",
  command,
  args: [
    ...prometheusArgs({ configFile, dataDir: path.join(dir, "data"), listen: listenAddress(config.bindHost, config.ports.prometheus), retention: "2d" }),
    `--web.external-url=${localBase(config.bindHost, config.ports.prometheus)}`,
  ],
  cwd: dir,
  log,
});
