/**
 * A learned baseline for a metric with no fixed threshold: an exponentially weighted mean and
 * variance, and the z-score of a new value against them. Pure: each update returns a new value.
 */
export interface Baseline {
  mean: number;
  variance: number;
  count: number;
}

export const emptyBaseline: Baseline = { mean: 0, variance: 0, count: 0 };

/**
 * Folds `value` in with weight `alpha`. An anomalous value moves the mean at a tenth of the
 * weight and leaves the spread alone, so a spike stays a spike for minutes (long enough to be
 * diagnosed, fixed and verified), while a lasting shift still becomes the new normal in time.
 */
export function updateBaseline(b: Baseline, value: number, alpha: number, anomalous = false): Baseline {
  if (b.count === 0) return { mean: value, variance: 0, count: 1 };
  const a = anomalous ? alpha / 10 : alpha;
  const diff = value - b.mean;
  const mean = b.mean + a * diff;
  // An outlier moves the mean a little but not the spread: a spike must not widen its own band.
  const variance = anomalous ? b.variance : (1 - a) * (b.variance + a * diff * diff);
  return { mean, variance, count: b.count + 1 };
}

/**
 * How many standard deviations `value` lies from the mean. A floor of 5 % of the mean on the
 * deviation keeps a very steady series from calling a tiny wobble an anomaly.
 */
export function zScore(b: Baseline, value: number): number {
  const sd = Math.max(Math.sqrt(b.variance), Math.abs(b.mean) * 0.05, 1e-9);
  return (value - b.mean) / sd;
}

/** A spike against `b`: once learned, `zWarning` deviations above the mean and at least `minRatio` × it. */
export function isSpike(b: Baseline, value: number, c: { minSamples: number; zWarning: number; minRatio: number }): boolean {
  return b.count >= c.minSamples && zScore(b, value) >= c.zWarning && value >= c.minRatio * b.mean;
}
