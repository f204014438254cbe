/** Where a controller reports what it could not do. Pino's logger fits. */
export interface ControllerLog {
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/**
 * A controller's queue of keys to reconcile, as client-go's workqueue: a key added many times
 * before it is processed is reconciled once, and never twice at the same time. Watch callbacks
 * only add keys; the reconcile runs later, on its own turn of the event loop, so no controller
 * writes to the store from inside another write's watch delivery.
 */
export class WorkQueue {
  readonly #pending = new Set<string>();
  readonly #timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  #scheduled: NodeJS.Immediate | undefined;
  #stopped = false;

  constructor(
    private readonly name: string,
    private readonly reconcile: (key: string) => void,
    private readonly log: ControllerLog,
  ) {}

  add(key: string): void {
    if (this.#stopped) return;
    this.#pending.add(key);
    this.#scheduled ??= setImmediate(() => this.#drain());
  }

  /** Reconciles the key after `ms`, unless an earlier retry for it is already set. */
  addAfter(key: string, ms: number): void {
    if (this.#stopped) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const existing = this.#timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, ms);
    this.#timers.set(key, { at, timer });
  }

  stop(): void {
    this.#stopped = true;
    if (this.#scheduled) clearImmediate(this.#scheduled);
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#pending.clear();
  }

  #drain(): void {
    this.#scheduled = undefined;
    // Keys added while this batch runs wait for the next turn, so a controller that keeps
    // changing what it watches cannot starve the event loop.
    const batch = [...this.#pending];
    this.#pending.clear();
    for (const key of batch) {
      if (this.#stopped) return;
      try {
        this.reconcile(key);
      } catch (error) {
        // A throw here is a bug in a controller; the others keep the cluster running.
        this.log.error({ controller: this.name, key, err: error }, "reconcile failed");
      }
    }
  }
}
