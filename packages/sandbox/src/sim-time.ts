/**
 * The sandbox runs at wall-clock speed, but every interval a real cluster waits out (back-offs,
 * probe periods, heartbeats, grace periods) is divided by TIME_FACTOR, so what takes minutes on
 * a real cluster takes seconds here. Timestamps stay real; only the waits shrink.
 */
export const TIME_FACTOR = 10;

/** A real cluster's duration in seconds, as milliseconds of sandbox time. */
export function simMs(realSeconds: number): number {
  return (realSeconds * 1000) / TIME_FACTOR;
}
