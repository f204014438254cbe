/**
 * Detector thresholds. Kubernetes durations are in a real cluster's seconds and divided by
 * `timeFactor` (the sandbox compresses every wait ×10: packages/sandbox/src/sim-time.ts), since
 * back-offs and probe periods shrink with it. Metric holds are wall time: Prometheus' rate
 * windows and the sandbox's traffic shapes (a flap's 40 s burst) are not compressed.
 */
export interface DetectorSettings {
  /** 1 on a real cluster, 10 against the sandbox. */
  timeFactor: number;
  crash: { minRestarts: number; windowS: number };
  /** Waiting reasons and conditions must hold this long (cluster seconds) before they count. */
  hold: { pendingS: number; notReadyS: number; errImagePullS: number; configErrorS: number; nodeNotReadyS: number; rolloutStalledS: number; unavailableS: number };
  volume: { warning: number; critical: number };
  /** Fixed thresholds per check; `holdMs` is wall time a breach must last. */
  metrics: Record<"error-share" | "p99-latency" | "cpu-throttling" | "cpu-saturation", { warning: number; critical: number; holdMs: number }>;
  /** Checks with no fixed threshold (the request rate): EWMA baseline and z-score, and at least `minRatio` × the mean. */
  baseline: { alpha: number; minSamples: number; zWarning: number; zCritical: number; holdMs: number; minRatio: number };
  /** A breach that comes and goes this many times within `windowMs` without holding is a flap. */
  flapping: { crossings: number; windowMs: number };
  /**
   * A climb counts when it fits a line (r²), spans enough samples and time, and has grown by at
   * least `trendMinGrowth` of the limit (or `trendMinGrowthBytes` without one): a working set's
   * ordinary wobble of a few per cent fits a line over a short run too.
   */
  memory: { nearLimit: number; trendMinSamples: number; trendMinSpanMs: number; trendMinR2: number; trendMinGrowth: number; trendMinGrowthBytes: number; horizonMs: number };
  /** How long history keeps an observation (wall ms). */
  retentionMs: number;
  /** Namespaces slow by design whose p99 latency is not checked (deploy/prometheus/rules.yaml leaves batch out too). */
  latencyExemptNamespaces: readonly string[];
  /** Registries the estate pulls from; a bare pod from another one is suspect. */
  knownRegistries: readonly string[];
}

/** Defaults for a real cluster (`timeFactor` 1); pass `{ timeFactor: 10 }` for the sandbox. */
export function detectorSettings(overrides: Partial<DetectorSettings> = {}): DetectorSettings {
  return {
    timeFactor: 1,
    crash: { minRestarts: 2, windowS: 600 },
    hold: { pendingS: 30, notReadyS: 30, errImagePullS: 30, configErrorS: 10, nodeNotReadyS: 20, rolloutStalledS: 60, unavailableS: 60 },
    volume: { warning: 0.9, critical: 0.95 },
    metrics: {
      "error-share": { warning: 0.05, critical: 0.25, holdMs: 60_000 },
      "p99-latency": { warning: 1, critical: 2.5, holdMs: 60_000 },
      "cpu-throttling": { warning: 0.25, critical: 0.5, holdMs: 60_000 },
      "cpu-saturation": { warning: 0.8, critical: 0.95, holdMs: 60_000 },
    },
    baseline: { alpha: 0.1, minSamples: 10, zWarning: 3, zCritical: 6, holdMs: 30_000, minRatio: 1.5 },
    flapping: { crossings: 2, windowMs: 10 * 60_000 },
    memory: { nearLimit: 0.85, trendMinSamples: 4, trendMinSpanMs: 10_000, trendMinR2: 0.8, trendMinGrowth: 0.08, trendMinGrowthBytes: 64 * 2 ** 20, horizonMs: 30 * 60_000 },
    retentionMs: 15 * 60_000,
    latencyExemptNamespaces: ["batch"],
    knownRegistries: ["registry.example.com", "registry.k8s.io", "docker.io/library"],
    ...overrides,
  };
}

/** A Kubernetes duration of the settings, in wall milliseconds. */
export const clusterMs = (s: DetectorSettings, seconds: number): number => (seconds * 1000) / s.timeFactor;
