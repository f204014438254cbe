import { simMs } from "../sim-time.js";
import type { KindFault } from "./kind-def.js";

/** What an active fault does to one container, for the fault behaviour to act out. */
export type ContainerFaultEffect =
  /** Exits `afterMs` into a run, and not before `since` (a process already running dies when the fault strikes). */
  | { type: "crash"; afterMs: number; since: Date; exitCode: number; reason: string; line: string }
  | { type: "hang"; since: Date; line: string }
  | { type: "probe-fail"; path: string; line: string }
  /** A line written every `everyMs` of the run from `since` on (a failing write, a stray connection), the process carrying on. */
  | { type: "log"; since: Date; everyMs: number; line: string };

/** Seconds a crashing process lives (a real cluster's; compressed by sim-time). */
export const CRASH_AFTER_S = 20;

/** A crash `afterS` (real-cluster seconds) into each run, from the fault's injection on. */
export function crashEffect(f: KindFault<unknown>, afterS: number, exit: { exitCode: number; reason: string }, defaultLine: string): ContainerFaultEffect {
  return { type: "crash", afterMs: simMs(afterS), since: new Date(f.injectedAt), ...exit, line: f.message ?? defaultLine };
}

/** What the kubelet reports for a readiness path the app does not serve. */
export const PROBE_404 = "HTTP probe failed with statuscode: 404";
