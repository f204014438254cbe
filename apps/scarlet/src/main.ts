// Scarlet as a process of its own (`npm start` runs it): watches the clusters, decides, acts, audits.
import { randomBytes } from "node:crypto";
import { createMcpToolbox, formatMcpConfigIssues, loadMcpServersConfig } from "@autodevops/mcp-clients";
import { createEventBus, createLogger, generatePolicyKeys, loadConfigOrExit, PgAuditStore } from "@autodevops/shared";
import { detectorSettings } from "./detectors/settings.js";
import { prometheusSource, sandboxMetricsSource } from "./monitor/telemetry-checks.js";
import { PolicySettings } from "./policy/policy-inputs.js";
import { clustersFromKubeconfig, clustersFromSandbox } from "./runtime/clusters.js";
import { startScarlet } from "./runtime/scarlet.js";

const config = loadConfigOrExit();
const log = createLogger({ service: "scarlet", level: config.logLevel });
const databaseUrl = config.database.url;
if (!databaseUrl) {
  process.stderr.write("Scarlet needs DATABASE_URL (npm start sets it to the embedded Postgres)\n");
  process.exit(1);
}

const setup = config.kubeconfig ? clustersFromKubeconfig(config.kubeconfig) : await clustersFromSandbox(config.urls.sandbox, { waitMs: 60_000 });
// One key pair per process: it signs each decision, and the write tools it starts verify them.
const keys = generatePolicyKeys();
const mcp = loadMcpServersConfig({
  ...process.env,
  KUBECONFIG: setup.kubeconfigPath,
  MCP_K8S_CONTEXTS: setup.clusters.map((c) => `${c.name}=${c.context}`).join(","),
  POLICY_PUBLIC_KEY: keys.publicKeyPem,
});
if (!mcp.ok) {
  process.stderr.write(`MCP server configuration:\n${formatMcpConfigIssues(mcp.error)}\n`);
  process.exit(1);
}
const audit = new PgAuditStore(databaseUrl, log.child({ component: "audit" }));
const bus = createEventBus({ databaseUrl, ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}), service: "scarlet", log });
await bus.connect();
const tools = await createMcpToolbox({ agent: "scarlet", config: mcp.value, audit, policyPublicKey: keys.publicKeyPem, log });

const secretOr = (given: string | undefined, what: string) => {
  if (given) return given;
  log.warn({}, `${what} is not set: a random one was made for this run, so nobody outside this process knows it`);
  return randomBytes(24).toString("base64url");
};
const telemetry = config.telemetry.prometheusUrl
  ? prometheusSource({ url: config.telemetry.prometheusUrl.split(",")[0]?.replace(/^[\w-]+=/, "") ?? config.telemetry.prometheusUrl })
  : setup.scrape.length > 0
    ? sandboxMetricsSource({ clusters: setup.scrape })
    : undefined;
const sandbox = setup.timeFactor > 1;

const scarlet = await startScarlet({
  databaseUrl,
  clusters: setup.clusters,
  ...(telemetry ? { telemetry } : {}),
  tools,
  audit,
  bus,
  log,
  host: config.bindHost,
  port: config.ports.scarlet,
  approvers: [{ token: secretOr(config.auth.approverToken, "AUTODEVOPS_APPROVER_TOKEN"), user: "approver" }],
  alertsAuth: { bearerToken: secretOr(config.auth.alertsToken, "AUTODEVOPS_ALERTS_TOKEN") },
  policy: { settings: PolicySettings.parse({}), privateKeyPem: keys.privateKeyPem },
  detectors: detectorSettings({ timeFactor: setup.timeFactor }),
  // The sandbox's rollouts and back-offs run ten times faster, so verification can be shorter.
  verify: sandbox ? { deadlineMs: 90_000, pollMs: 1000, quietMs: 8000 } : { deadlineMs: 600_000, pollMs: 5000, quietMs: 120_000 },
  telemetryIntervalMs: sandbox ? 2000 : 15_000,
  closeQuietMs: sandbox ? 60_000 : 600_000,
  ...(setup.clusters[0] ? { defaultCluster: setup.clusters[0].name } : {}),
});

let stopping = false;
const stop = async (why: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ why }, "stopping Scarlet");
  await scarlet.stop().catch((e: unknown) => log.error({ err: e }, "stop failed"));
  await tools.close().catch(() => undefined);
  await bus.close().catch(() => undefined);
  await audit.close().catch(() => undefined);
  process.exit(0);
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(signal));
// Started by the supervisor with a stdin pipe it never writes: it closes when the supervisor dies.
if (!process.stdin.isTTY) {
  process.stdin.on("end", () => void stop("the supervisor went away"));
  process.stdin.resume();
}
