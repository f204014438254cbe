/**
 * `callerSignal`, or a deadline `ms` from now, whichever aborts first; `clear()` when done. A timer
 * of our own rather than `AbortSignal.timeout()` inside `AbortSignal.any()`: the composite holds
 * its sources weakly, and a garbage collection before the deadline can lose the timeout (seen in
 * a loaded test run: a 100 ms timeout that never fired).
 */
export function withDeadline(callerSignal: AbortSignal, ms: number, what: string): { signal: AbortSignal; clear(): void } {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException(`${what} timed out after ${ms} ms`, "TimeoutError")), ms);
  return { signal: AbortSignal.any([callerSignal, deadline.signal]), clear: () => clearTimeout(timer) };
}
