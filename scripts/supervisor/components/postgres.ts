import { fstatSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../../packages/shared/src/config/config.js";
import { startEmbeddedPostgres } from "../../../packages/shared/src/db/embedded-postgres.js";
import { createLogger } from "../../../packages/shared/src/logging/logger.js";

// The `postgres` component: an embedded PostgreSQL that runs until this process is asked to
// stop (SIGINT/SIGTERM) or the supervisor goes away, and then shuts Postgres down cleanly.

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

const config = loadConfig(process.env);
const log = createLogger({ service: "postgres", level: config.logLevel });

// A stop asked for while Postgres is starting waits for the start to finish (an initdb cut
// short leaves a data dir that cannot be used), then stops it like any other.
let stopRequest: string | undefined;
let onStopRequest = (why: string) => {
  stopRequest ??= why;
};
for (const signal of SIGNALS) process.on(signal, () => onStopRequest(signal));
// The supervisor gives us a stdin pipe and never writes to it: it closes when the supervisor
// exits, even by SIGKILL, and Postgres must not outlive it.
// Node gives a child's "pipe" stdio as a socket pair (not a FIFO), so check for both.
if (fstatSync(0).isFIFO() || fstatSync(0).isSocket()) {
  process.stdin.on("end", () => onStopRequest("the supervisor went away"));
  process.stdin.resume();
}

const started = await startEmbeddedPostgres({
  dataDir: path.resolve(REPO_ROOT, config.dataDir),
  port: config.database.embeddedPort,
  log,
  // This process stops Postgres itself (below) and reports it; the library's handlers would
  // race that and exit with 130.
  libraryHandlesSignals: false,
});
if (!started.ok) {
  log.fatal({ code: started.error.code }, started.error.message);
  process.exit(1);
}
const server = started.value;
log.info({ port: config.database.embeddedPort, pid: server.pid }, "Postgres is up");

let stopping = false;
const stop = async (why: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ why }, "stopping Postgres");
  await server.stop();
  log.info("Postgres stopped");
  process.exit(0);
};
onStopRequest = (why) => void stop(why);
if (stopRequest !== undefined) void stop(stopRequest);

const exit = await server.exited;
if (!stopping) {
  log.fatal({ reason: exit.reason }, "Postgres exited unexpectedly");
  process.exit(1);
}
