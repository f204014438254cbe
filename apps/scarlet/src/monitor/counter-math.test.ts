import { describe, expect, it } from "vitest";
import { counterIncrease, histogramQuantile, keepWindow, nextReading, ratesOver, type CounterReading } from "./counter-math.js";

const readings = (points: Array<[number, Record<string, number>]>, windowMs = 60_000): CounterReading[] => {
  let kept: CounterReading[] = [];
  for (const [at, raw] of points) kept = keepWindow([...kept, nextReading(kept[kept.length - 1], at, new Map(Object.entries(raw)))], windowMs);
  return kept;
};

describe("counter rates", () => {
  it("counts a counter that went down as restarted from 0", () => {
    expect(counterIncrease(10, 15)).toBe(5);
    expect(counterIncrease(100, 7)).toBe(7);
  });

  it("rates across a reset within the window without going negative", () => {
    // 100 → 160 in 10 s, then the container restarts and counts 0 → 30 in the next 10 s: 90 in 20 s.
    const r = readings([
      [0, { a: 100 }],
      [10_000, { a: 160 }],
      [20_000, { a: 30 }],
    ]);
    expect(ratesOver(r, 60_000).get("a")).toBeCloseTo(4.5);
  });

  it("looks back only as far as the window, and at least to the previous scrape", () => {
    const r = readings([
      [0, { a: 0 }],
      [30_000, { a: 300 }],
      [60_000, { a: 900 }],
      [90_000, { a: 1200 }],
    ]);
    expect(r.map((x) => x.at)).toEqual([30_000, 60_000, 90_000]);
    expect(ratesOver(r, 60_000).get("a")).toBeCloseTo(15);
    const sparse = readings([
      [0, { a: 0 }],
      [120_000, { a: 240 }],
    ]);
    expect(ratesOver(sparse, 60_000).get("a")).toBeCloseTo(2);
  });

  it("gives no rate to a series seen once, and rates a series back after a gap from its return", () => {
    const r = readings([
      [0, { a: 0, b: 50 }],
      [10_000, { a: 10 }],
      [20_000, { a: 20, b: 5 }],
      [30_000, { a: 30, b: 25 }],
    ]);
    const rates = ratesOver(r, 60_000);
    expect(rates.get("a")).toBeCloseTo(1);
    expect(rates.get("b")).toBeCloseTo(2);
    expect(ratesOver(readings([[0, { a: 5 }]]), 60_000).size).toBe(0);
  });
});

describe("histogramQuantile", () => {
  const inf = Infinity;
  it("interpolates linearly within the bucket that holds the rank, as histogram_quantile does", () => {
    // 100 observations: 50 ≤ 0.1, 90 ≤ 0.5, 100 ≤ 1. p99 is rank 99: 9/10 of the way from 0.5 to 1.
    const b = [
      { le: 0.1, count: 50 },
      { le: 0.5, count: 90 },
      { le: 1, count: 100 },
      { le: inf, count: 100 },
    ];
    expect(histogramQuantile(0.99, b)).toBeCloseTo(0.95);
    expect(histogramQuantile(0.5, b)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.25, b)).toBeCloseTo(0.05);
  });

  it("answers the largest finite bound when the rank falls in +Inf, and NaN without observations or +Inf", () => {
    expect(histogramQuantile(0.99, [{ le: 0.5, count: 10 }, { le: inf, count: 20 }])).toBe(0.5);
    expect(histogramQuantile(0.99, [{ le: 0.5, count: 0 }, { le: inf, count: 0 }])).toBeNaN();
    expect(histogramQuantile(0.99, [{ le: 0.5, count: 3 }, { le: 1, count: 4 }])).toBeNaN();
  });

  it("sorts buckets and evens out counts that dip from summing separately rounded series", () => {
    const b = [
      { le: inf, count: 10 },
      { le: 1, count: 10 },
      { le: 0.5, count: 10.2 },
    ];
    // Counts become 10.2 throughout: the median is half-way into the first bucket.
    expect(histogramQuantile(0.5, b)).toBeCloseTo(0.25);
  });
});
