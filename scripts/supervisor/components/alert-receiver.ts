import { loadConfigOrExit } from "../../../packages/shared/src/config/config.js";
import { createLogger } from "../../../packages/shared/src/logging/logger.js";
import { createAlertReceiver } from "../monitoring/alert-receiver.js";

// The `alert-receiver` component: stands in for Scarlet's `POST /alerts` on SCARLET_PORT until
// apps/scarlet exists, so Alertmanager has somewhere to deliver and each alert shows in the log.

const config = loadConfigOrExit();
const log = createLogger({ service: "alert-receiver", level: config.logLevel });
const token = config.auth.alertsToken;
if (token === undefined) {
  log.fatal("AUTODEVOPS_ALERTS_TOKEN is unset (the supervisor sets it)");
  process.exit(1);
}
const server = createAlertReceiver({ token, log });
server.listen(config.ports.scarlet, config.bindHost, () => log.info({ url: `${config.urls.scarlet}/alerts` }, "taking Alertmanager's notifications"));

let stopping = false;
const stop = (why: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ why }, "stopping the alert receiver");
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stop(signal));
// Started by the supervisor with a stdin pipe it never writes: it closes when the supervisor dies.
if (!process.stdin.isTTY) {
  process.stdin.on("end", () => stop("the supervisor went away"));
  process.stdin.resume();
}
