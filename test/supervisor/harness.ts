import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { chmod, mkdtemp } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Runs `node scripts/start.mjs` as `npm start` does, and watches what it prints. */

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface Ports {
  EMBEDDED_PG_PORT: string;
  SANDBOX_PORT: string;
  SCARLET_PORT: string;
  JAMIE_PORT: string;
  PROMETHEUS_PORT: string;
  ALERTMANAGER_PORT: string;
}

/** Distinct ports that were free a moment ago, so a running demo is not disturbed. */
export async function freePorts(): Promise<Ports> {
  const servers = await Promise.all(
    [0, 1, 2, 3, 4, 5].map(
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => String((s.address() as { port: number }).port));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  const [pg = "", sandbox = "", scarlet = "", jamie = "", prometheus = "", alertmanager = ""] = ports;
  return { EMBEDDED_PG_PORT: pg, SANDBOX_PORT: sandbox, SCARLET_PORT: scarlet, JAMIE_PORT: jamie, PROMETHEUS_PORT: prometheus, ALERTMANAGER_PORT: alertmanager };
}

/** A fresh data dir. mkdtemp makes it 0700; the supervisor must open it for the postgres user itself. */
export async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "autodevops-start-"));
  await chmod(dir, 0o700);
  return dir;
}

export interface Started {
  child: ChildProcess;
  /** stdout and stderr together, in arrival order. */
  output(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the output matches, rejects (with the output) after `ms` or on exit. */
  waitFor(pattern: RegExp, ms: number): Promise<RegExpMatchArray>;
}

export function startSupervisor(env: Record<string, string>): Started {
  const base = { ...process.env };
  // Whatever the test runner's environment holds must not redirect these runs.
  for (const name of ["DATABASE_URL", "AUTODEVOPS_APPROVER_TOKEN", "AUTODEVOPS_API_KEY", "AUTODEVOPS_ALERTS_TOKEN", "PROMETHEUS_URL", "ALERTMANAGER_URL", "LOG_LEVEL", "FORCE_COLOR"]) delete base[name];
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "scripts/start.mjs")], {
    cwd: REPO_ROOT,
    env: { ...base, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let all = "";
  let err = "";
  const listeners = new Set<() => void>();
  child.stdout?.on("data", (d: Buffer) => {
    all += d.toString();
    for (const l of listeners) l();
  });
  child.stderr?.on("data", (d: Buffer) => {
    all += d.toString();
    err += d.toString();
    for (const l of listeners) l();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      // Let the last output arrive.
      setTimeout(() => resolve({ code, signal }), 50);
    }),
  );
  return {
    child,
    output: () => all,
    stderr: () => err,
    exited,
    waitFor(pattern, ms) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = all.match(pattern);
          if (!m) return false;
          done();
          resolve(m);
          return true;
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${ms} ms; output:\n${all}`));
        }, ms);
        const onExit = () => {
          if (check()) return;
          done();
          reject(new Error(`exited before printing ${pattern}; output:\n${all}`));
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(listener);
          child.off("exit", onExit);
        };
        const listener = () => void check();
        if (check()) return;
        listeners.add(listener);
        child.once("exit", onExit);
      });
    },
  };
}

/** Stops a run that is still going (SIGINT, then SIGKILL), for cleanup after a failed test. */
export async function ensureStopped(run: Started | undefined): Promise<void> {
  if (!run || run.child.exitCode !== null || run.child.signalCode !== null) return;
  run.child.kill("SIGINT");
  const t = setTimeout(() => run.child.kill("SIGKILL"), 20_000);
  await run.exited;
  clearTimeout(t);
}

/** The postmaster's pid from its pid file, while it runs. */
export function postmasterPid(dataDir: string): number {
  const first = readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0] ?? "";
  return Number(first);
}

/** The pid in the supervisor's lock file. */
export function supervisorPid(dataDir: string): number {
  return (JSON.parse(readFileSync(path.join(dataDir, "supervisor.lock"), "utf8")) as { pid: number }).pid;
}

/** Direct children of a process, from /proc. */
export function childrenOf(pid: number): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of readdirSafe("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) found.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ") });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The Postgres URL the table prints. */
export function printedPostgresUrl(output: string): string {
  const m = output.match(/^\s*Postgres\s+(postgres:\/\/\S+)/m);
  if (!m?.[1]) throw new Error(`no Postgres URL in the output:\n${output}`);
  return m[1];
}
