/**
 * The kubelet's container restart back-off, in cluster seconds (the caller compresses them):
 * the first exit restarts at once, later ones wait 10 s, 20 s, 40 s … up to 5 minutes. The same
 * doubling paces image pulls after a failure.
 */
export const INITIAL_BACKOFF_SECONDS = 10;
export const MAX_BACKOFF_SECONDS = 300;

/** The wait before restarting after the `exits`-th exit in a row (1-based). */
export function restartBackoffSeconds(exits: number): number {
  if (exits <= 1) return 0;
  return Math.min(INITIAL_BACKOFF_SECONDS * 2 ** (exits - 2), MAX_BACKOFF_SECONDS);
}

/** The wait before pulling again after the `failures`-th failed pull (1-based). */
export function pullBackoffSeconds(failures: number): number {
  return Math.min(INITIAL_BACKOFF_SECONDS * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_SECONDS);
}

/** A duration as Go prints it (`10s`, `1m20s`, `5m0s`), the way kubelet messages show back-offs. */
export function goDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${m}m${s}s` : `${m}m${s}s`;
}
