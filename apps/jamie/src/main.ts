// Jamie as a process of its own (`npm start` runs it): the portal's pages and API, the assistant, the memory.
import { randomBytes } from "node:crypto";
import { createLogger, loadConfigOrExit, stopWithParent } from "@autodevops/shared";
import { bootJamie } from "./server/boot.js";

const config = loadConfigOrExit();
const log = createLogger({ service: "jamie", level: config.logLevel });
const fail = (why: string) => {
  process.stderr.write(`${why}\n`);
  process.exit(1);
};
if (!config.database.url) fail("Jamie needs DATABASE_URL (npm start sets it to the embedded Postgres)");
if (!config.auth.approverToken) fail("Jamie needs AUTODEVOPS_APPROVER_TOKEN to pass portal approvals to Scarlet (npm start generates one)");
if (config.nodeEnv === "production" && !config.portal.sessionSecret) fail("JAMIE_SESSION_SECRET is required in production: every replica must sign sessions with the same key");
const sessionSecret = config.portal.sessionSecret ?? randomBytes(32).toString("base64url");
if (!config.portal.sessionSecret) log.warn({}, "JAMIE_SESSION_SECRET is not set: sessions are signed with a key made for this run (sign-ins end at a restart)");

const jamie = await bootJamie({
  config,
  databaseUrl: config.database.url ?? "",
  approverToken: config.auth.approverToken ?? "",
  apiKey: config.auth.apiKey,
  sessionSecret,
  host: config.bindHost,
  port: config.ports.jamie,
  log,
  pages: true,
}).catch((e: unknown) => {
  log.fatal({ err: e }, "Jamie could not start");
  process.exit(1);
});

let stopping = false;
const stop = async (why: string) => {
  if (stopping) return;
  stopping = true;
  // Whatever hangs in a close (an open stream, a reconnecting client) must not keep an orphan alive.
  setTimeout(() => process.exit(0), 5000).unref();
  log.info({ why }, "stopping Jamie");
  await jamie.close().catch((e: unknown) => log.error({ err: e }, "stop failed"));
  process.exit(0);
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(signal));
// Started by npm start's supervisor or a test: stop when it goes away (never in a container).
stopWithParent((why) => void stop(why));
