import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfigOrExit } from "../../../packages/shared/src/config/config.js";
import { createLogger } from "../../../packages/shared/src/logging/logger.js";
import { localBase } from "../components.js";
import { COMPRESSED_TIMING } from "../monitoring/alertmanager-config.js";
import { ALERTMANAGER, alertmanagerArgs, findProgram } from "../monitoring/commands.js";
import { writeAlertmanagerFiles } from "../monitoring/config-files.js";
import { listenAddress, runProgram } from "./run-program.js";

// The `alertmanager` component: the machine's Alertmanager with a generated configuration that
// sends every alert, and its resolution, to Scarlet's `POST /alerts` with a bearer token.
// Config and data live in <DATA_DIR>/alertmanager.

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const config = loadConfigOrExit();
const log = createLogger({ service: "alertmanager", level: config.logLevel });
const command = findProgram(ALERTMANAGER, process.env.PATH);
const token = config.auth.alertsToken;
if (command === undefined || token === undefined) {
  log.fatal(command === undefined ? `Alertmanager is not installed: ${ALERTMANAGER.install}` : "AUTODEVOPS_ALERTS_TOKEN is unset (the supervisor sets it)");
  process.exit(1);
}
const dir = path.join(path.resolve(REPO_ROOT, config.dataDir), "alertmanager");
const webhookUrl = `${config.urls.scarlet.replace(/\/+$/, "")}/alerts`;
const configFile = await writeAlertmanagerFiles(dir, { webhookUrl, token, ...COMPRESSED_TIMING });
// The notification log remembers what an earlier run sent; the alerts of that run's sandbox never
// resolved (it was stopped), so the same alerts firing in this run's new sandbox would be held
// back as already notified for up to repeat_interval. Silences are kept.
await rm(path.join(dir, "data", "nflog"), { force: true });
log.info({ configFile, webhookUrl }, "alertmanager.yml written");
runProgram({
  name: "alertmanager",
  command,
  args: [
    ...alertmanagerArgs({ configFile, dataDir: path.join(dir, "data"), listen: listenAddress(config.bindHost, config.ports.alertmanager) }),
    `--web.external-url=${localBase(config.bindHost, config.ports.alertmanager)}`,
  ],
  cwd: dir,
  log,
});
