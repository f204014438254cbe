/**
 * A token bucket per key (user, or address before sign-in): `burst` at once, refilled at
 * `perMinute`. In-process: each replica limits on its own, which bounds the cost of a runaway
 * client per replica (the LLM and the tools are the expensive part).
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly opts: { perMinute: number; burst: number; now?: () => number }) {}

  /** True when the request may go ahead; otherwise the seconds to wait. */
  take(key: string): { ok: true } | { ok: false; retryAfterSec: number } {
    const now = this.opts.now?.() ?? Date.now();
    const rate = this.opts.perMinute / 60_000;
    const b = this.#buckets.get(key) ?? { tokens: this.opts.burst, at: now };
    const tokens = Math.min(this.opts.burst, b.tokens + (now - b.at) * rate);
    if (tokens < 1) {
      this.#buckets.set(key, { tokens, at: now });
      return { ok: false, retryAfterSec: Math.ceil((1 - tokens) / rate / 1000) };
    }
    this.#buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.#buckets.size > 10_000) for (const [k, v] of this.#buckets) if (now - v.at > 600_000) this.#buckets.delete(k);
    return { ok: true };
  }
}
