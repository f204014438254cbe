/**
 * Monotonic counters that live across scrapes, as a real exporter's do: each scrape adds what
 * accrued since the last one. Series not seen in a scrape are forgotten, so a pod that comes
 * back under the same name starts again from zero (a counter reset, which `rate()` handles).
 */
export class CounterBank {
  #values = new Map<string, number>();
  #touched = new Set<string>();

  /** Adds a non-negative amount (negative amounts are a bug in the model and are dropped) and returns the total. */
  add(key: string, amount: number, initial = 0): number {
    const prev = this.#values.get(key) ?? Math.max(0, initial);
    const next = prev + (amount > 0 && Number.isFinite(amount) ? amount : 0);
    this.#values.set(key, next);
    this.#touched.add(key);
    return next;
  }

  /** Whether the series already has a value (so its first value can be backfilled). */
  has(key: string): boolean {
    return this.#values.has(key);
  }

  /** Ends a scrape: forgets every series that was not added to since the last call. */
  sweep(): void {
    for (const key of [...this.#values.keys()]) if (!this.#touched.has(key)) this.#values.delete(key);
    this.#touched = new Set();
  }
}
