import type { Finding } from "@autodevops/shared";
import { detectAlert } from "./alert-detector.js";
import { detectConfig } from "./config-detector.js";
import { detectEvent } from "./event-detector.js";
import { baselineOf, earlier, remember, type History } from "./history.js";
import { detectMemory } from "./memory-detector.js";
import { detectMetric } from "./metric-detector.js";
import { detectNode } from "./node-detector.js";
import type { Observation } from "./observations.js";
import { detectPod } from "./pod-detector.js";
import type { DetectorSettings } from "./settings.js";
import { detectVolume } from "./volume-detector.js";
import { detectWorkload } from "./workload-detector.js";

/**
 * Signal → findings, pure: what `o` shows at `now`, given what was seen before (`h`, which
 * does not yet hold `o`). Nothing here acts; the debouncing (restart counts, holds) is here.
 */
export function detect(o: Observation, h: History, now: Date, s: DetectorSettings): Finding[] {
  const entries = earlier(h, o);
  switch (o.type) {
    case "pod":
      return detectPod(o, entries, now, s);
    case "workload":
      return detectWorkload(o, entries, now, s);
    case "node":
      return detectNode(o, entries, now, s);
    case "event":
      return detectEvent(o, now, s);
    case "volume":
      return detectVolume(o, now, s);
    case "memory":
      return detectMemory(o, entries, now, s);
    case "metric":
      return detectMetric(o, entries, now, baselineOf(h, o), s);
    case "alert":
      return detectAlert(o, now);
    case "config":
      return detectConfig(o, entries, now, s);
  }
}

/** `detect`, then the observation remembered: what a monitor loop calls per observation. */
export function observe(o: Observation, h: History, now: Date, s: DetectorSettings): { findings: Finding[]; history: History } {
  return { findings: detect(o, h, now, s), history: remember(h, o, now, s) };
}
