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
 * Folds `value` in with weight `alpha`. An anomalous value moves the mean at a quarter of the
 * weight and leaves the spread alone, so a spike does not become the new normal within a few
 * samples, while a lasting shift still does in time.
 */
export function updateBaseline(b: Baseline, value: number, alpha: number, anomalous = false): Baseline {
  if (b.count === 0) return { mean: value, variance: 0, count: 1 };
  const a = anomalous ? alpha / 4 : alpha;
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
