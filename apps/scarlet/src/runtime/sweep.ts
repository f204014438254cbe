import type { Logger } from "@autodevops/shared";

/**
 * Runs `once` every `everyMs`, never two at a time (a slow round — GitHub answering slowly, say —
 * skips the ticks it overlaps); a failed round is logged and the next one tries again.
 * Returns a function that stops it.
 */
export function sweepEvery(everyMs: number, once: () => Promise<void>, log: Pick<Logger, "warn">, what: string): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void once()
      .catch((e: unknown) => log.warn({ err: e }, `${what} failed`))
      .finally(() => (running = false));
  }, everyMs);
  return () => clearInterval(timer);
}
