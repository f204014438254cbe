/** The buckets client libraries use by default for `http_request_duration_seconds`. */
export const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** Standard normal CDF (Abramowitz and Stegun 26.2.17, error below 1e-7). */
function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989423 * Math.exp((-z * z) / 2);
  const p = d * t * (0.3193815 + t * (-0.3565638 + t * (1.781478 + t * (-1.821256 + t * 1.330274))));
  return z > 0 ? 1 - p : p;
}

/** Fraction of requests at or under `leSeconds` when latencies are log-normal around a median. */
export function fractionWithin(leSeconds: number, medianMs: number, sigma: number): number {
  if (medianMs <= 0) return 1;
  return normalCdf((Math.log(leSeconds * 1000) - Math.log(medianMs)) / sigma);
}

/** Mean latency in seconds of that log-normal distribution (for `_sum`). */
export function meanSeconds(medianMs: number, sigma: number): number {
  return (medianMs * Math.exp((sigma * sigma) / 2)) / 1000;
}

/** Timed-out requests cluster tightly around the timeout: the clock, not the work, decides. */
const TIMEOUT_SIGMA = 0.05;

/** A service's latency: log-normal around its median, plus a share that also waited out a timeout. */
export interface LatencyShape {
  latencyMedianMs: number;
  latencySigma: number;
  slowFraction: number;
  timeoutMs: number;
}

export function shapeWithin(leSeconds: number, l: LatencyShape): number {
  const normal = fractionWithin(leSeconds, l.latencyMedianMs, l.latencySigma);
  if (l.slowFraction <= 0) return normal;
  return (1 - l.slowFraction) * normal + l.slowFraction * fractionWithin(leSeconds, l.latencyMedianMs + l.timeoutMs, TIMEOUT_SIGMA);
}

export function shapeMeanSeconds(l: LatencyShape): number {
  return (1 - l.slowFraction) * meanSeconds(l.latencyMedianMs, l.latencySigma) + l.slowFraction * meanSeconds(l.latencyMedianMs + l.timeoutMs, TIMEOUT_SIGMA);
}
