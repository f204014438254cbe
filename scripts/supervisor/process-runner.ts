import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { liveGroupMembers, signalGroup, signalProcess } from "./processes.js";

/** One component's process: its output line by line, its exit, and how to stop it. */

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  error?: string;
}

/** "exit code 1", "killed by SIGKILL", … */
export function describeExit(exit: ExitInfo): string {
  if (exit.error !== undefined) return `could not be started: ${exit.error}`;
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  return `exit code ${exit.code}`;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number | undefined;
  /** Settles once the process has exited and its output has been read. */
  readonly exited: Promise<ExitInfo>;
  /** The exit, once it happened. */
  exit(): ExitInfo | undefined;
  /** The most recent output lines, raw. */
  lastLines(): string[];
  /** SIGTERM, then SIGKILL to its whole process group after `withinMs`; reports whether force was needed. */
  stop(withinMs: number): Promise<{ forced: boolean }>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** "pipe" gives the child a stdin that closes when the supervisor dies. */
  stdin: "pipe" | "ignore";
  onLine: (line: string, stream: "stdout" | "stderr") => void;
  keepLines?: number;
}

/** Spawns a component in its own process group and streams its output line by line. */
export function startProcess(opts: StartOptions): ManagedProcess {
  const keep = opts.keepLines ?? 15;
  const recent: string[] = [];
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: [opts.stdin, "pipe", "pipe"],
    // Its own process group: Ctrl-C in the terminal reaches only the supervisor, which then
    // stops components in reverse order (the database last), and a group can be killed whole.
    detached: true,
  });

  let openStreams = 0;
  let streamsClosed: () => void = () => undefined;
  const allStreamsClosed = new Promise<void>((resolve) => (streamsClosed = resolve));
  for (const [stream, source] of [
    ["stdout", child.stdout],
    ["stderr", child.stderr],
  ] as const) {
    if (!source) continue;
    openStreams++;
    const lines = createInterface({ input: source, crlfDelay: Infinity });
    lines.on("line", (line) => {
      recent.push(line);
      if (recent.length > keep) recent.shift();
      opts.onLine(line, stream);
    });
    lines.on("close", () => {
      if (--openStreams === 0) streamsClosed();
    });
  }
  if (openStreams === 0) streamsClosed();

  let exit: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.on("error", (e) => {
      // 'error' without a pid: spawning failed and no 'exit' follows.
      if (child.pid === undefined) {
        exit = { code: null, signal: null, error: e.message };
        resolve(exit);
      }
    });
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      // A grandchild that inherited the pipes may keep them open; do not wait on it for long.
      void Promise.race([allStreamsClosed, new Promise((r) => setTimeout(r, 300))]).then(() => resolve({ code, signal }));
    });
  });

  const pid = child.pid;
  return {
    name: opts.name,
    pid,
    exited,
    exit: () => exit,
    lastLines: () => [...recent],
    async stop(withinMs) {
      let forced = false;
      if (pid === undefined) return { forced };
      if (exit === undefined) {
        signalProcess(pid, "SIGTERM");
        if (!(await settlesWithin(exited, withinMs))) {
          forced = true;
          signalGroup(pid, "SIGKILL");
          await exited;
        }
      }
      // Whatever it started and left behind (a server of its own, say) is still in its group.
      if (liveGroupMembers(pid).length > 0) {
        signalGroup(pid, "SIGTERM");
        if (!(await waitUntil(() => liveGroupMembers(pid).length === 0, withinMs))) {
          forced = true;
          signalGroup(pid, "SIGKILL");
        }
      }
      return { forced };
    },
  };
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
