import { Command } from "@langchain/langgraph";
import type { Logger } from "@autodevops/shared";
import type { ScarletGraph } from "../graph/build-graph.js";
import type { ScarletStateType } from "../graph/state.js";
import { NotLeadingError } from "./leader-election-guard.js";

/** Where an incident's thread stands, as the runner knows it. */
type Phase = "idle" | "running" | "waiting" | "done";

export interface RunnerOptions {
  graph: ScarletGraph;
  log: Logger;
  /** Wait after an incident opens before deciding, so correlation can fold symptoms into their root. */
  settleMs: number;
  /** Wait before trying again a run that paused (undiagnosed, target busy). */
  retryMs: number;
  /** Whether this replica may run the incident's thread now (leader election: it leads the incident's cluster). */
  may?: (incidentId: string) => boolean;
}

const config = (incidentId: string) => ({ configurable: { thread_id: incidentId }, recursionLimit: 50 });

/**
 * Drives one graph thread per incident: at most one run per thread at a time (a promise chain),
 * debounced starts, resumes after an approval decision, and recovery of threads a previous
 * process left in the middle of a run or waiting for a human.
 */
export class IncidentRunner {
  readonly #opts: RunnerOptions;
  readonly #phase = new Map<string, Phase>();
  readonly #chains = new Map<string, Promise<void>>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #stopped = false;

  constructor(opts: RunnerOptions) {
    this.#opts = opts;
  }

  /** Something changed on an incident: run its thread soon, unless it is waiting for a human or done. */
  poke(incidentId: string, delayMs = this.#opts.settleMs): void {
    const phase = this.#phase.get(incidentId) ?? "idle";
    if (this.#stopped || phase === "waiting" || phase === "done" || this.#timers.has(incidentId)) return;
    this.#timers.set(
      incidentId,
      setTimeout(() => {
        this.#timers.delete(incidentId);
        // Poked while a run was under way, which then stopped to wait for a human (or finished):
        // starting the thread again would decide anew and ask a second time.
        this.#enqueue(incidentId, () => (["waiting", "done"].includes(this.phaseOf(incidentId)) ? Promise.resolve() : this.#run(incidentId, { incidentId })));
      }, delayMs),
    );
  }

  /** Starts a thread with more than the incident id (a person's change request brings its plan); resolves when the run pauses. */
  begin(incidentId: string, input: { incidentId: string } & Record<string, unknown>): Promise<void> {
    return this.#enqueue(incidentId, () => this.#run(incidentId, input));
  }

  /** A human decided (or the request expired): continue the thread from its interrupt. */
  resume(incidentId: string): Promise<void> {
    return this.#enqueue(incidentId, () => this.#run(incidentId, new Command({ resume: "decided" })));
  }

  /**
   * Resumes a thread that this runner knows to be waiting, once: its phase turns to running at
   * once, so a second notice of the same decision (the bus, then a sweep) does not resume it twice.
   */
  resumeIfWaiting(incidentId: string): boolean {
    if (this.phaseOf(incidentId) !== "waiting") return false;
    this.#phase.set(incidentId, "running");
    void this.resume(incidentId);
    return true;
  }

  /** Picks up a thread a previous process left: waiting stays waiting, anything mid-run continues. */
  async recover(incidentId: string, approvalDecided: boolean): Promise<void> {
    const snap = await this.#opts.graph.getState(config(incidentId));
    if (snap.next.length === 0) {
      this.#phase.set(incidentId, (snap.values as Partial<ScarletStateType>).outcome ? "done" : "idle");
      return;
    }
    if (snap.next.includes("await_approval") && snap.tasks.some((t) => t.interrupts.length > 0)) {
      this.#phase.set(incidentId, "waiting");
      if (approvalDecided) await this.resume(incidentId);
      return;
    }
    this.#opts.log.info({ incidentId, next: snap.next }, "continuing a run the previous process left");
    await this.#enqueue(incidentId, () => this.#run(incidentId, null));
  }

  /** The incidents whose threads wait for a human. */
  waiting(): string[] {
    return [...this.#phase].filter(([, p]) => p === "waiting").map(([id]) => id);
  }

  phaseOf(incidentId: string): Phase {
    return this.#phase.get(incidentId) ?? "idle";
  }

  #enqueue(incidentId: string, work: () => Promise<void>): Promise<void> {
    const next = (this.#chains.get(incidentId) ?? Promise.resolve()).then(work, work);
    this.#chains.set(incidentId, next);
    void next.finally(() => {
      if (this.#chains.get(incidentId) === next) this.#chains.delete(incidentId);
    });
    return next;
  }

  async #run(incidentId: string, input: ({ incidentId: string } & Record<string, unknown>) | Command | null): Promise<void> {
    if (this.#stopped) return;
    // Another replica leads the incident's cluster: its runner works the thread, not this one.
    if (this.#opts.may && !this.#opts.may(incidentId)) return;
    this.#phase.set(incidentId, "running");
    try {
      await this.#opts.graph.invoke(input as never, config(incidentId));
      const snap = await this.#opts.graph.getState(config(incidentId));
      const values = snap.values as Partial<ScarletStateType>;
      if (snap.next.includes("await_approval")) this.#phase.set(incidentId, "waiting");
      else if (values.pause === "undiagnosed" || values.pause === "deferred") {
        this.#phase.set(incidentId, "idle");
        this.poke(incidentId, this.#opts.retryMs);
      } else this.#phase.set(incidentId, values.pause === "symptom" ? "idle" : "done");
    } catch (e) {
      this.#phase.set(incidentId, "idle");
      if (e instanceof NotLeadingError) {
        this.#opts.log.info({ incidentId, cluster: e.cluster, actionId: e.actionId }, "leadership lost before acting: the run stops here");
        return;
      }
      this.#opts.log.error({ err: e, incidentId }, "incident run failed");
      this.poke(incidentId, this.#opts.retryMs * 4);
    }
  }

  /** Stops starting runs and waits for the ones under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await Promise.allSettled([...this.#chains.values()]);
  }
}
