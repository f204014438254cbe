import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig, type Config } from "../../packages/shared/src/config/config.js";
import { clearStalePostmaster, embeddedPostgresPassword, embeddedPostgresUrl } from "../../packages/shared/src/db/embedded-postgres.js";
import { createLogger, redactUrlCredentials } from "../../packages/shared/src/logging/logger.js";
import { COMPONENT_NAMES, planComponents, skipReason, type ComponentName, type ComponentSpec, type Machine, type Skip } from "./components.js";
import { acquireLock, describeHolder } from "./instance-lock.js";
import { renderLogLine } from "./log-format.js";
import { findProgram } from "./monitoring/commands.js";
import { describeConflict, findPortConflicts } from "./ports.js";
import { startProcess } from "./process-runner.js";
import { commandLine, isProcessAlive } from "./processes.js";
import { waitUntilReady } from "./readiness.js";
import { componentEnv, resolveRuntime, type Runtime } from "./runtime-env.js";
import { renderSummary, type Credential, type SummaryRow } from "./summary-table.js";
import { describeOutcome, supervise, type Outcome } from "./supervisor.js";
import { createTerminal, wantsColour, type Terminal } from "./terminal.js";

// `npm start`: runs every built component on this machine and stops them all on Ctrl-C.

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const STOP_WITHIN_MS = 10_000;
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

async function main(): Promise<number> {
  // Listening from the first moment: a Ctrl-C while starting still stops what was started.
  const stopRequested = firstStopSignal();
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    return 1;
  }
  const dataDir = path.resolve(REPO_ROOT, config.dataDir);
  const lock = await acquireLock(path.join(dataDir, "supervisor.lock"), {
    pid: process.pid,
    now: new Date(),
    isSupervisorRunning,
  });
  if (!lock.ok) {
    const { holder } = lock.error;
    console.error(`${describeHolder(holder)}\nStop it with Ctrl-C in its terminal or \`kill ${holder.pid}\`, or use another DATA_DIR.`);
    return 1;
  }
  try {
    return await run(config, dataDir, lock.value.tookOver, stopRequested);
  } finally {
    await lock.value.release();
  }
}

async function run(config: Config, dataDir: string, tookOver: string | undefined, stopRequested: Promise<string>): Promise<number> {
  // A terminal closed under us makes writes fail (EIO/EPIPE); the components must still be stopped.
  process.stdout.on("error", () => undefined);
  process.stderr.on("error", () => undefined);
  const terminal = createTerminal({
    out: process.stdout,
    color: wantsColour(process.stdout, process.env),
    names: ["supervisor", ...COMPONENT_NAMES],
  });
  const log = createLogger({ service: "supervisor", level: config.logLevel, destination: terminalStream(terminal) });
  log.info({ dataDir: shownPath(dataDir), database: config.database.url ? "external" : "embedded" }, "starting Auto-DevOps");
  if (tookOver) log.warn({ why: tookOver }, "replaced the lock of an earlier run that did not stop cleanly");

  let databaseUrl = config.database.url;
  if (databaseUrl === undefined) {
    const password = await embeddedPostgresPassword(dataDir);
    if (!password.ok) {
      console.error(password.error.message);
      return 1;
    }
    databaseUrl = embeddedPostgresUrl({ port: config.database.embeddedPort, password: password.value });
    // We hold the lock, so a Postgres running on this data dir was left by an earlier run that
    // was killed; it would otherwise hold the port checked below.
    const stale = await clearStalePostmaster(dataDir, log);
    if (!stale.ok) {
      console.error(stale.error.message);
      return 1;
    }
  }
  const machine: Machine = { fileExists: (f) => existsSync(path.join(REPO_ROOT, f)), findProgram: (p) => findProgram(p, process.env.PATH) };
  // A stand-in whose real component exists is not part of this run at all.
  const components = planComponents(config, databaseUrl).filter((s) => skipReason(s, machine)?.reason !== "replaced");
  const skips = new Map<string, Skip>();
  for (const s of components) {
    const why = skipReason(s, machine);
    if (why) skips.set(s.name, why);
  }
  const built = components.filter((s) => !skips.has(s.name));
  const runs = (name: ComponentName) => built.find((s) => s.name === name);
  const runtime = resolveRuntime(
    config,
    { databaseUrl, dataDir, prometheusUrl: runs("prometheus")?.url, alertmanagerUrl: runs("alertmanager")?.url },
    () => randomBytes(24).toString("base64url"),
  );

  const conflicts = await findPortConflicts(
    built.flatMap((s) => (s.port ? [{ component: s.name, port: s.port.number, host: s.port.host, variable: s.port.variable }] : [])),
  );
  if (conflicts.length > 0) {
    for (const c of conflicts) console.error(describeConflict(c));
    return 1;
  }
  const notBuilt = components.filter((s) => skips.get(s.name)?.reason === "not built yet");
  if (notBuilt.length > 0) log.info({ components: notBuilt.map((s) => s.name).join(",") }, "not built yet, skipped");
  for (const [name, why] of skips) {
    if (why.reason === "not installed") log.warn(`${name} is not installed, going on without it; to have it: ${why.install}`);
  }

  const env = componentEnv(process.env, config, runtime);
  const outcome = await supervise({
    components: built,
    launch: (spec) =>
      startProcess({
        name: spec.name,
        command: process.execPath,
        args: ["--import", "tsx", path.join(REPO_ROOT, spec.entry)],
        cwd: REPO_ROOT,
        env,
        stdin: spec.watchesSupervisor ? "pipe" : "ignore",
        onLine: (line) => terminal.line(spec.name, line),
      }),
    waitUntilReady: (spec, proc, signal) => waitUntilReady(spec.probe, proc, { withinMs: spec.readyWithinMs, signal }),
    stopRequested,
    onAllReady: () => process.stdout.write(`${summary(config, runtime, components, skips, terminal.color)}\n`),
    onOutcome: (o) => (o.kind === "stopped" ? log.info(describeOutcome(o)) : reportFailure(o, terminal.color)),
    stopWithinMs: STOP_WITHIN_MS,
    log,
  });
  if (outcome.kind === "stopped") {
    log.info("all stopped");
    return 0;
  }
  console.error(`\nAuto-DevOps stopped because ${outcome.name} failed.`);
  return 1;
}

/**
 * Resolves on the first of SIGINT/SIGTERM/SIGHUP. Later ones are ignored: in a terminal one
 * Ctrl-C arrives twice (directly, and forwarded by start.mjs).
 */
function firstStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of STOP_SIGNALS) process.on(signal, () => resolve(signal));
  });
}

/** A supervisor, not merely a live pid: after a reboot the pid in an old lock may belong to anything. */
function isSupervisorRunning(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  const cmd = commandLine(pid);
  return cmd === undefined || cmd.includes(path.join("scripts", "supervisor", "main.ts"));
}

function reportFailure(o: Exclude<Outcome, { kind: "stopped" }>, color: boolean): void {
  const lines = o.lastLines.flatMap((l) => renderLogLine(l, { color }));
  const tail = lines.length === 0 ? "  (it printed nothing)" : lines.map((l) => `    ${l}`).join("\n");
  console.error(`\n✖ ${describeOutcome(o)}. Its last output:\n${tail}\n\nStopping the other components.\n`);
}

function summary(config: Config, runtime: Runtime, specs: ComponentSpec[], skips: ReadonlyMap<string, Skip>, color: boolean): string {
  const rows: SummaryRow[] = [];
  if (config.database.url !== undefined) {
    rows.push({ name: "postgres", status: "external", url: withoutCredentials(config.database.url), note: "from DATABASE_URL" });
  }
  for (const [name, url, variable] of [
    ["alertmanager", config.telemetry.alertmanagerUrl, "ALERTMANAGER_URL"],
    ["prometheus", config.telemetry.prometheusUrl, "PROMETHEUS_URL"],
  ] as const) {
    // PROMETHEUS_URL may name one endpoint per cluster (`prod=URL,staging=URL`): not one URL.
    if (url !== undefined) rows.push({ name, status: "external", url: redactUrlCredentials(url), note: `from ${variable}` });
  }
  for (const spec of specs) {
    const skip = skips.get(spec.name);
    if (skip?.reason === "not built yet") {
      rows.push({ name: spec.name, status: "not built yet", url: "", note: `${spec.summary}; no ${spec.entry} yet` });
    } else if (skip?.reason === "not installed") {
      rows.push({ name: spec.name, status: "not installed", url: "", note: `${spec.summary}; install: ${skip.install}` });
    } else if (spec.kind === "task") {
      rows.push({ name: spec.name, status: "done", url: "", note: spec.summary });
    } else {
      const url = spec.probe.kind === "postgres" ? withoutCredentials(runtime.databaseUrl) : (spec.url ?? "");
      // Jamie's row also says whether it is on Slack (SLACK_BOT_TOKEN), since Slack has no process of its own.
      const slack = config.slack.mode === "off" ? "Slack off (no SLACK_BOT_TOKEN)" : `Slack on (${config.slack.mode === "socket" ? "Socket Mode" : "HTTP at /api/slack/*"})`;
      rows.push({ name: spec.name, status: "ready", url, note: spec.name === "jamie" ? `${spec.summary}; ${slack}` : spec.summary });
    }
  }
  const credentials: Credential[] = [
    config.database.url === undefined
      ? { label: "Postgres", value: runtime.databaseUrl, note: `data in ${shownPath(path.join(runtime.dataDir, "postgres"))}` }
      : { label: "Postgres", value: redactUrlCredentials(runtime.databaseUrl), note: "from DATABASE_URL" },
    ...(specs.some((s) => s.name === "sandbox" && !skips.has(s.name))
      ? [{ label: "Kubeconfig", value: shownPath(path.join(runtime.dataDir, "sandbox", "kubeconfig")), note: "contexts prod, staging (admin) and scarlet@prod, scarlet@staging" }]
      : []),
    secretRow("Approver token", runtime.approverToken, runtime.generated.approverToken, "AUTODEVOPS_APPROVER_TOKEN"),
    secretRow("API key", runtime.apiKey, runtime.generated.apiKey, "AUTODEVOPS_API_KEY"),
    ...(runtime.demoPassword !== undefined ? [secretRow("Portal password", runtime.demoPassword, runtime.generated.demoPassword, "JAMIE_DEMO_PASSWORD; users admin, approver, viewer")] : []),
  ];
  return renderSummary({ rows, credentials, color });
}

/** A secret someone set is theirs and is not echoed; a generated one is printed so it can be used. */
function secretRow(label: string, value: string, generated: boolean, variable: string): Credential {
  return generated ? { label, value, note: `${variable}, generated for this run` } : { label, value: "(as set)", note: `from ${variable}` };
}

/** Repo-relative when inside the repository (the default .data), else absolute. */
function shownPath(p: string): string {
  const rel = path.relative(REPO_ROOT, p);
  return rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? p : rel;
}

/** The table's URL column: where it is, without the password (that is in the credentials). */
function withoutCredentials(url: string): string {
  const u = new URL(url);
  u.username = "";
  u.password = "";
  return u.toString();
}

function terminalStream(terminal: Terminal): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line !== "") terminal.line("supervisor", line);
      done();
    },
  });
}

// Exiting explicitly: a keep-alive socket or a library timer must not hold the terminal.
// Writes to a terminal or a pipe are synchronous on Linux, so no output is lost.
process.exit(await main());
