import { simMs } from "../sim-time.js";
import type { KindFault } from "./kind-def.js";

/** What an active fault does to one container, for the fault behaviour to act out. */
export type ContainerFaultEffect =
  /**
   * Exits `afterMs` into a run, and not before `since` (a process already running dies when the fault strikes).
   * With `fromSince`, the clock of a run that began before `since` starts at `since` instead (a leak
   * grows from the fault's start, so a process already running has the whole climb ahead of it).
   */
  | { type: "crash"; afterMs: number; since: Date; exitCode: number; reason: string; line: string; fromSince?: boolean }
  | { type: "hang"; since: Date; line: string }
  | { type: "probe-fail"; path: string; line: string }
  /**
   * A line written every `everyMs` of the run from `since` on (a failing write, a stray connection), the process carrying on.
   * `render` writes a line that depends on its time (a figure that climbs, a timestamp in the text) in place of `line`;
   * `when` limits the lines to the moments it accepts (a burst).
   */
  | { type: "log"; since: Date; everyMs: number; line: string; render?: (at: Date) => string; when?: (at: Date) => boolean };

/** Seconds a crashing process lives (a real cluster's; compressed by sim-time). */
export const CRASH_AFTER_S = 20;

/** A crash `afterS` (real-cluster seconds) into each run, from the fault's injection on. */
export function crashEffect(f: KindFault<unknown>, afterS: number, exit: { exitCode: number; reason: string }, defaultLine: string): ContainerFaultEffect {
  return { type: "crash", afterMs: simMs(afterS), since: new Date(f.injectedAt), ...exit, line: f.message ?? defaultLine };
}

/** What the kubelet reports for a readiness path the app does not serve. */
export const PROBE_404 = "HTTP probe failed with statuscode: 404";
