import type { Result } from "../../packages/shared/src/core/result.js";
import type { Logger } from "../../packages/shared/src/logging/logger.js";
import type { ComponentSpec } from "./components.js";
import { describeExit, type ExitInfo, type ManagedProcess } from "./process-runner.js";

/**
 * The lifecycle: start components in order, each once the one before is ready; then wait for
 * a stop request or a failure; then stop whatever was started, in reverse order.
 */

export type Outcome =
  | { kind: "stopped"; signal: string }
  | { kind: "died"; name: string; exit: ExitInfo; lastLines: string[] }
  | { kind: "not_ready"; name: string; reason: string; lastLines: string[] };

export interface SupervisorDeps {
  /** The components to run, in start order. */
  components: ComponentSpec[];
  launch(spec: ComponentSpec): ManagedProcess;
  waitUntilReady(spec: ComponentSpec, proc: ManagedProcess, signal: AbortSignal): Promise<Result<void, string>>;
  /** Settles with the signal's name when the person asks to stop. */
  stopRequested: Promise<string>;
  /** Called once every component is ready. */
  onAllReady(): void;
  /** Called with the outcome before anything is stopped. */
  onOutcome(outcome: Outcome): void;
  stopWithinMs: number;
  log: Logger;
}

/** One sentence: what went wrong, naming the component. */
export function describeOutcome(o: Outcome): string {
  switch (o.kind) {
    case "stopped":
      return `stopping on ${o.signal}`;
    case "died":
      return `${o.name} stopped unexpectedly (${describeExit(o.exit)})`;
    case "not_ready":
      return `${o.name} ${o.reason}`;
  }
}

/** Runs the components until a stop request or a failure, stops them all, and says which it was. */
export async function supervise(deps: SupervisorDeps): Promise<Outcome> {
  const { log } = deps;
  const started: Array<{ spec: ComponentSpec; proc: ManagedProcess }> = [];
  let outcome: Outcome | undefined;
  let settle: (o: Outcome) => void = () => undefined;
  const decided = new Promise<Outcome>((resolve) => (settle = resolve));
  const probes = new AbortController();
  const decide = (o: Outcome) => {
    if (outcome) return;
    outcome = o;
    probes.abort();
    settle(o);
  };
  void deps.stopRequested.then((signal) => decide({ kind: "stopped", signal }));

  for (const spec of deps.components) {
    if (outcome) break;
    const t0 = Date.now();
    log.info({ entry: spec.entry }, `starting ${spec.name}`);
    const proc = deps.launch(spec);
    started.push({ spec, proc });
    const ready = await deps.waitUntilReady(spec, proc, probes.signal);
    if (outcome) break;
    if (!ready.ok) {
      decide({ kind: "not_ready", name: spec.name, reason: ready.error, lastLines: proc.lastLines() });
      break;
    }
    log.info({ after: seconds(Date.now() - t0) }, spec.kind === "task" ? `${spec.name} finished` : `${spec.name} is ready`);
    if (spec.kind === "service") {
      // From here on, a service that exits is a failure, unless we are the ones stopping it.
      void proc.exited.then((exit) => decide({ kind: "died", name: spec.name, exit, lastLines: proc.lastLines() }));
    }
  }
  if (!outcome) deps.onAllReady();

  const final = await decided;
  deps.onOutcome(final);
  for (const { spec, proc } of started.reverse()) {
    const wasRunning = proc.exit() === undefined;
    const t0 = Date.now();
    if (wasRunning) log.info(`stopping ${spec.name}`);
    const { forced } = await proc.stop(deps.stopWithinMs);
    if (forced) log.warn({ after: seconds(Date.now() - t0) }, `${spec.name} did not stop in time and was killed`);
    else if (wasRunning) log.info({ after: seconds(Date.now() - t0) }, `${spec.name} stopped`);
  }
  return final;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
