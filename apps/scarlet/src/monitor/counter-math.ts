/**
 * Rates and quantiles from raw scrapes, the way Prometheus' `rate()` and `histogram_quantile()`
 * compute them, for when Scarlet reads the exposition itself. Pure: times arrive as arguments.
 */

/** What a counter grew by between two readings: a smaller reading means it restarted from 0. */
export function counterIncrease(previous: number, current: number): number {
  return current >= previous ? current - previous : current;
}

/** One series' state in a reading: its raw value, its reset-adjusted total, and since when it has been seen without a gap. */
type Track = { raw: number; total: number; since: number };

/** Every counter series of one scrape, keyed by series, at `at` (epoch ms). */
export interface CounterReading {
  at: number;
  series: ReadonlyMap<string, Track>;
}

/** The reading after `prev`: a series' total grows by its increase; a series new (or back after a gap) starts at 0. */
export function nextReading(prev: CounterReading | undefined, at: number, raw: ReadonlyMap<string, number>): CounterReading {
  const series = new Map<string, Track>();
  for (const [key, value] of raw) {
    const p = prev?.series.get(key);
    series.set(key, p ? { raw: value, total: p.total + counterIncrease(p.raw, value), since: p.since } : { raw: value, total: 0, since: at });
  }
  return { at, series };
}

/** The readings a window needs after `latest` is added: those within `windowMs` of it, and always the one before it. */
export function keepWindow(readings: readonly CounterReading[], windowMs: number): CounterReading[] {
  const latest = readings[readings.length - 1];
  if (!latest) return [];
  return readings.filter((r, i) => i >= readings.length - 2 || latest.at - r.at <= windowMs);
}

/**
 * Per-second increase of each series of the latest reading since the oldest reading that is
 * within `windowMs` and in the series' unbroken run (the previous reading when none is that
 * close). Series seen once have no rate yet.
 */
export function ratesOver(readings: readonly CounterReading[], windowMs: number): Map<string, number> {
  const rates = new Map<string, number>();
  const latest = readings[readings.length - 1];
  if (!latest) return rates;
  const earlier = readings.slice(0, -1);
  for (const [key, t] of latest.series) {
    const run = earlier.filter((r) => r.at >= t.since && r.series.has(key));
    const base = run.find((r) => latest.at - r.at <= windowMs) ?? run[run.length - 1];
    const from = base?.series.get(key);
    if (!base || !from || latest.at <= base.at) continue;
    rates.set(key, (t.total - from.total) / ((latest.at - base.at) / 1000));
  }
  return rates;
}

/** One cumulative bucket: how many observations were at most `le`. */
export interface Bucket {
  le: number;
  count: number;
}

/**
 * The q-quantile of a cumulative histogram (bucket counts or their rates), interpolated
 * linearly within its bucket as `histogram_quantile` does: NaN without a `+Inf` bucket or
 * without observations; the largest finite bound when the quantile falls in `+Inf`.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted.length < 2 || sorted[sorted.length - 1]?.le !== Infinity) return NaN;
  // Counts summed from separate series can dip by rounding; a cumulative histogram never does.
  let max = 0;
  const bs = sorted.map((b) => ({ le: b.le, count: (max = Math.max(max, b.count)) }));
  const total = bs[bs.length - 1]?.count ?? 0;
  if (total <= 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  let rank = q * total;
  const i = bs.findIndex((b) => b.count >= rank);
  const b = bs[i];
  if (!b) return NaN;
  if (i === bs.length - 1) return bs[bs.length - 2]?.le ?? NaN;
  if (i === 0 && b.le <= 0) return b.le;
  const prev = bs[i - 1];
  const start = prev ? prev.le : 0;
  let count = b.count;
  if (prev) {
    count -= prev.count;
    rank -= prev.count;
  }
  return start + (b.le - start) * (rank / count);
}
