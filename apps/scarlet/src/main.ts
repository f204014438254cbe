// Scarlet as a process of its own (`npm start` runs it): watches the clusters, decides, acts, audits.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { createLogger, loadConfigOrExit, stopWithParent } from "@autodevops/shared";
import { bootScarlet } from "./runtime/boot.js";

const config = loadConfigOrExit();
const log = createLogger({ service: "scarlet", level: config.logLevel });
if (!config.database.url) {
  process.stderr.write("Scarlet needs DATABASE_URL (npm start sets it to the embedded Postgres)\n");
  process.exit(1);
}
const secretOr = (given: string | undefined, what: string) => {
  if (given) return given;
  log.warn({}, `${what} is not set: a random one was made for this run, so nobody outside this process knows it`);
  return randomBytes(24).toString("base64url");
};

// A pod's hostname is its name, unique among the replicas; the pid tells apart processes sharing a host.
const leaseSettings = ({ replicaId, leaseName, leaseNamespace, leaseDurationMs, renewDeadlineMs, retryPeriodMs }: typeof config.scarletLeaderElection) => ({
  identity: replicaId ?? `${hostname()}-${process.pid}`,
  name: leaseName,
  namespace: leaseNamespace,
  leaseDurationMs,
  renewDeadlineMs,
  retryPeriodMs,
});

const scarlet = await bootScarlet({
  databaseUrl: config.database.url,
  ...(config.kubeconfig ? { kubeconfig: config.kubeconfig } : { sandboxUrl: config.urls.sandbox }),
  ...(config.telemetry.prometheusUrl ? { prometheusUrl: config.telemetry.prometheusUrl } : {}),
  ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
  host: config.bindHost,
  port: config.ports.scarlet,
  approvers: [{ token: secretOr(config.auth.approverToken, "AUTODEVOPS_APPROVER_TOKEN"), user: "approver" }],
  alertsToken: secretOr(config.auth.alertsToken, "AUTODEVOPS_ALERTS_TOKEN"),
  llm: config.llm,
  ...(config.gitops.enabled && config.github.token ? { gitops: { ...config.gitops, token: config.github.token, apiUrl: config.github.apiUrl } } : {}),
  ...(config.scarletLeaderElection.enabled ? { leaderElection: leaseSettings(config.scarletLeaderElection) } : {}),
  log,
}).catch((e: unknown) => {
  log.fatal({ err: e }, "Scarlet could not start");
  process.exit(1);
});

let stopping = false;
const stop = async (why: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ why }, "stopping Scarlet");
  await scarlet.close().catch((e: unknown) => log.error({ err: e }, "stop failed"));
  process.exit(0);
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(signal));
// Started by npm start's supervisor or a test: stop when it goes away (never in a container).
stopWithParent((why) => void stop(why));
