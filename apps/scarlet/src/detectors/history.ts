import { emptyBaseline, isSpike, updateBaseline, zScore, type Baseline } from "./baseline.js";
import { observationKey, type Observation } from "./observations.js";
import type { DetectorSettings } from "./settings.js";

/**
 * One earlier observation of the same thing, at wall time `at` (ms). A baselined value carries
 * whether it was a spike against the baseline of its time: judged again against today's mean
 * (which a long spike drags up), the start of a spike would stop counting and it would never hold.
 */
export type Entry = { at: number; obs: Observation; spike?: boolean };

/** What the detectors remember between calls: earlier observations per key, and baselines. */
export interface History {
  readonly entries: Readonly<Record<string, readonly Entry[]>>;
  readonly baselines: Readonly<Record<string, Baseline>>;
}

export const emptyHistory = (): History => ({ entries: {}, baselines: {} });

/** The checks whose values feed a learned baseline: the request rate (no fixed threshold), and p99 latency (a fixed threshold guarded by it). */
const BASELINED = new Set(["request-rate", "p99-latency"]);

/** The uid of the Kubernetes object an observation is about, when it is one. */
function uidOf(o: Observation): string | undefined {
  if (o.type === "pod") return o.pod.metadata.uid;
  if (o.type === "workload") return o.workload.metadata.uid;
  if (o.type === "node") return o.node.metadata.uid;
  return undefined;
}

/**
 * The earlier observations of `o`'s key, oldest first. An object deleted and created again under
 * the same name (a re-applied Deployment) is another object: the old one's history is not its own,
 * or a recreated workload would read as one scaled to zero.
 */
export function earlier(h: History, o: Observation): readonly Entry[] {
  const all = h.entries[observationKey(o)] ?? [];
  const uid = uidOf(o);
  return uid === undefined ? all : all.filter((e) => {
    const u = uidOf(e.obs);
    return u === undefined || u === uid;
  });
}

export function baselineOf(h: History, o: Observation): Baseline {
  return h.baselines[observationKey(o)] ?? emptyBaseline;
}

/**
 * Adds `o` at `now` to the history (pure: a new History), dropping what is older than the
 * retention, and folds a baselined metric into its baseline.
 */
export function remember(h: History, o: Observation, now: Date, s: DetectorSettings): History {
  const key = observationKey(o);
  const at = now.getTime();
  const kept = (h.entries[key] ?? []).filter((e) => at - e.at <= s.retentionMs);
  if (o.type !== "metric" || !BASELINED.has(o.check)) return { entries: { ...h.entries, [key]: [...kept, { at, obs: o }] }, baselines: h.baselines };
  const b = baselineOf(h, o);
  const entries = { ...h.entries, [key]: [...kept, { at, obs: o, spike: isSpike(b, o.value, s.baseline) }] };
  // A latency in breach is not learned at all: a slow dependency must not become the new normal while it lasts.
  // While the baseline is still being learned every value counts, or a service slow by design would never get one.
  if (o.check === "p99-latency" && b.count >= s.baseline.minSamples && breachesGuarded(o.value, b, s)) return { entries, baselines: h.baselines };
  const anomalous = b.count >= s.baseline.minSamples && Math.abs(zScore(b, o.value)) >= s.baseline.zWarning;
  return { entries, baselines: { ...h.baselines, [key]: updateBaseline(b, o.value, s.baseline.alpha, anomalous) } };
}

/**
 * How long (ms) a condition has held, counting back from `now` through the earlier
 * observations for which `holds` is true without a break; 0 when it holds only now, and
 * undefined when it does not hold now.
 */
export function heldFor<T extends Observation>(entries: readonly Entry[], current: T, now: Date, holds: (o: T) => boolean): number | undefined {
  if (!holds(current)) return undefined;
  let since = now.getTime();
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (!e || e.obs.type !== current.type || !holds(e.obs as T)) break;
    since = e.at;
  }
  return now.getTime() - since;
}

/** Drops everything older than the retention from every key (callers run it now and then). */
export function prune(h: History, now: Date, s: DetectorSettings): History {
  const entries: Record<string, readonly Entry[]> = {};
  for (const [key, list] of Object.entries(h.entries)) {
    const kept = list.filter((e) => now.getTime() - e.at <= s.retentionMs);
    if (kept.length > 0) entries[key] = kept;
  }
  return { entries, baselines: h.baselines };
}

/**
 * A p99 latency breach: above the fixed warning threshold and, once a baseline is learned, at
 * least `minRatio` × it. A service whose normal p99 sits near the threshold (coarse histogram
 * buckets, a slow-by-design batch job) is not in breach for being itself.
 */
export function breachesGuarded(value: number, b: Baseline, s: DetectorSettings): boolean {
  if (value <= s.metrics["p99-latency"].warning) return false;
  return b.count < s.baseline.minSamples || value >= s.baseline.minRatio * b.mean;
}
