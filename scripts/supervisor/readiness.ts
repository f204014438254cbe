import pg from "pg";
import { err, ok, type Result } from "../../packages/shared/src/core/result.js";
import type { Probe } from "./components.js";
import { describeExit, type ManagedProcess } from "./process-runner.js";

/** Waits for a component to become ready, or says why it did not. */

const RETRY_MS = 250;
const ATTEMPT_TIMEOUT_MS = 2_000;

/**
 * Polls the probe until it passes, the deadline passes, the process exits or `signal` aborts.
 * The error reads after the component's name: "exited before it was ready (exit code 1)".
 */
export async function waitUntilReady(
  probe: Probe,
  proc: Pick<ManagedProcess, "exited" | "exit">,
  opts: { withinMs: number; signal: AbortSignal },
): Promise<Result<void, string>> {
  const deadline = Date.now() + opts.withinMs;
  const seconds = `${Math.round(opts.withinMs / 1000)} s`;
  if (probe.kind === "exit") {
    const outcome = await Promise.race([proc.exited, sleep(opts.withinMs, opts.signal).then(() => undefined)]);
    if (outcome === undefined) return err(opts.signal.aborted ? "was interrupted" : `was still running after ${seconds}`);
    return outcome.code === 0 ? ok(undefined) : err(`failed (${describeExit(outcome)})`);
  }
  while (!opts.signal.aborted) {
    const exit = proc.exit();
    if (exit) return err(`exited before it was ready (${describeExit(exit)})`);
    const problem = await check(probe);
    if (problem === undefined) return ok(undefined);
    if (Date.now() >= deadline) return err(`was not ready after ${seconds} (last attempt: ${problem})`);
    await Promise.race([sleep(RETRY_MS, opts.signal), proc.exited]);
  }
  return err("was interrupted");
}

/** undefined when the probe passes, else what went wrong. */
async function check(probe: Exclude<Probe, { kind: "exit" }>): Promise<string | undefined> {
  return probe.kind === "postgres" ? checkPostgres(probe.url) : checkHttp(probe.url);
}

async function checkPostgres(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: ATTEMPT_TIMEOUT_MS, application_name: "autodevops-supervisor" });
  // A server that goes away mid-probe emits 'error' on the client; the query reports it too.
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (e) {
    return (e as Error).message || (e as NodeJS.ErrnoException).code || "an error";
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkHttp(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
    await res.body?.cancel();
    return res.status === 200 ? undefined : `HTTP ${res.status}`;
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return cause ?? (e as Error).message;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
