import { hashUnit, smoothNoise } from "./noise.js";
import type { ServiceProfile } from "./service-profiles.js";
import type { StoredModifier } from "./telemetry-modifiers.js";
import type { ServiceTraffic } from "./traffic-model.js";

const MIB = 2 ** 20;
/** A container without a memory limit or request settles around this much. */
const UNLIMITED_BASELINE_BYTES = 128 * MIB;

export interface MemoryInput {
  seed: number;
  /** Identifies the container's baseline: the same pod keeps the same level across scrapes. */
  key: string;
  limitBytes: number | undefined;
  requestBytes: number | undefined;
  /** When the running container started; growth counts from here. */
  startedAt: Date | undefined;
  now: Date;
  modifier: Readonly<Partial<StoredModifier>>;
}

/**
 * How much memory the container wants now, uncapped. The baseline sits at 50-70 % of the limit
 * (fixed per container, with a little wander); a fault can set it or make it grow from the
 * container's start, so a restart brings a leaking container back down.
 */
export function memoryDemandBytes(m: MemoryInput): number {
  const nowMs = m.now.getTime();
  const base =
    m.modifier.memoryMiB !== undefined
      ? m.modifier.memoryMiB * MIB
      : m.limitBytes
        ? m.limitBytes * (0.5 + 0.2 * hashUnit(m.seed, m.key)) * (1 + 0.02 * smoothNoise(m.seed, `mem/${m.key}`, nowMs, 30_000))
        : (m.requestBytes ?? UNLIMITED_BASELINE_BYTES) * 0.8;
  const growth = m.modifier.memoryGrowthMiBPerMin ?? 0;
  if (growth <= 0) return base;
  const from = Math.max(m.startedAt?.getTime() ?? nowMs, m.modifier.since?.getTime() ?? nowMs);
  return base + (growth * MIB * Math.max(0, nowMs - from)) / 60_000;
}

/** What cAdvisor reports: the kernel reclaims or kills at the limit, so the working set never exceeds it. */
export function workingSetBytes(m: MemoryInput): number {
  const demand = memoryDemandBytes(m);
  return Math.round(m.limitBytes ? Math.min(demand, m.limitBytes) : demand);
}

/**
 * CPU one container of a service wants, in millicores: its idle cost, plus its share of the
 * service's traffic when it is Ready (endpoints send traffic only to Ready pods).
 */
export function cpuDemandMilli(opts: {
  profile: ServiceProfile;
  traffic: ServiceTraffic | undefined;
  servingPods: number;
  serving: boolean;
  modifier: Readonly<Partial<StoredModifier>>;
}): number {
  if (opts.modifier.cpuMilli !== undefined) return opts.modifier.cpuMilli;
  const share = opts.serving && opts.traffic && opts.servingPods > 0 ? (opts.traffic.rps * opts.profile.cpuMilliPerRps) / opts.servingPods : 0;
  return opts.profile.idleCpuMilli + share;
}

/** CFS periods are 100 ms. */
export const CFS_PERIODS_PER_SECOND = 10;

/**
 * Share of CFS periods in which the container hits its quota. A container near its limit is
 * throttled in bursts before its average reaches it; past the limit most periods throttle.
 */
export function throttledFraction(demandMilli: number, limitMilli: number | undefined): number {
  if (limitMilli === undefined || limitMilli <= 0) return 0;
  const ratio = demandMilli / limitMilli;
  if (ratio < 0.85) return 0;
  if (ratio < 1) return 0.05 + (ratio - 0.85);
  return Math.min(1, 0.25 + (ratio - 1) * 2);
}
