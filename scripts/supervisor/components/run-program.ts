import { fstatSync } from "node:fs";
import type { Logger } from "../../../packages/shared/src/logging/logger.js";
import { describeExit } from "../process-runner.js";
import { startProcess } from "../process-runner.js";

/**
 * Runs one of the machine's programs (Prometheus, Alertmanager) as a component: its output
 * passes through line by line; it is stopped when this process is asked to stop or the
 * supervisor goes away (our stdin closes); and this process exits when it does.
 */

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const STOP_WITHIN_MS = 8_000;

export function runProgram(opts: { name: string; command: string; args: string[]; cwd: string; log: Logger }): void {
  const { log } = opts;
  const proc = startProcess({
    name: opts.name,
    command: opts.command,
    args: opts.args,
    cwd: opts.cwd,
    env: process.env,
    stdin: "ignore",
    onLine: (line) => process.stdout.write(`${line}\n`),
  });
  log.info({ pid: proc.pid, command: opts.command }, `${opts.name} started`);
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, `stopping ${opts.name}`);
    const { forced } = await proc.stop(STOP_WITHIN_MS);
    if (forced) log.warn(`${opts.name} did not stop in time and was killed`);
    process.exit(0);
  };
  for (const signal of SIGNALS) process.on(signal, () => void stop(signal));
  // The supervisor gives us a stdin pipe and never writes to it: it closes when the supervisor
  // exits, even by SIGKILL, and the program must not outlive it.
  // Node gives a child's "pipe" stdio as a socket pair, a shell pipe is a FIFO; /dev/null (run by hand) is neither.
  const stdin = fstatSync(0);
  if (stdin.isFIFO() || stdin.isSocket()) {
    process.stdin.on("end", () => void stop("the supervisor went away"));
    process.stdin.resume();
  }
  void proc.exited.then((exit) => {
    if (stopping) return;
    log.fatal({ exit: describeExit(exit) }, `${opts.name} exited unexpectedly`);
    process.exit(1);
  });
}

/** host:port for a listen flag; IPv6 hosts in brackets. */
export function listenAddress(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}
