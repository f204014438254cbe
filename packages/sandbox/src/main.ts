// The sandbox as a process of its own (`npm start` runs it): two simulated clusters and the control API.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, loadConfigOrExit } from "@autodevops/shared";
import { startSandbox } from "./sandbox.js";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const config = loadConfigOrExit();
const log = createLogger({ service: "sandbox", level: config.logLevel });
const sandbox = await startSandbox({
  dataDir: path.resolve(REPO_ROOT, config.dataDir),
  host: config.bindHost,
  controlPort: config.ports.sandbox,
  log,
});

let stopping = false;
const stop = async (why: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ why }, "stopping the sandbox");
  await sandbox.stop();
  process.exit(0);
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(signal));
// Started by the supervisor with a stdin pipe it never writes: it closes when the supervisor dies.
if (!process.stdin.isTTY) {
  process.stdin.on("end", () => void stop("the supervisor went away"));
  process.stdin.resume();
}
