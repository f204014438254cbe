import { describe, expect, it } from "vitest";
import { memoryDemandBytes, throttledFraction, workingSetBytes, type MemoryInput } from "./container-usage-model.js";

const MIB = 2 ** 20;
const NOW = new Date("2026-03-10T12:00:00Z");
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

const input = (over: Partial<MemoryInput> = {}): MemoryInput => ({
  seed: 1,
  key: "pod-uid/cart",
  limitBytes: 384 * MIB,
  requestBytes: 192 * MIB,
  startedAt: minutesAgo(30),
  now: NOW,
  modifier: {},
  ...over,
});

describe("container memory", () => {
  it("sits between half and three quarters of the limit at baseline", () => {
    for (const key of ["a", "b", "c", "d", "e"]) {
      const ws = workingSetBytes(input({ key }));
      expect(ws).toBeGreaterThan(0.48 * 384 * MIB);
      expect(ws).toBeLessThan(0.72 * 384 * MIB);
    }
  });

  it("grows from the container's start, so a restarted container starts low again", () => {
    const modifier = { memoryMiB: 100, memoryGrowthMiBPerMin: 10, since: minutesAgo(60) };
    expect(memoryDemandBytes(input({ modifier, startedAt: minutesAgo(20) }))).toBe(300 * MIB);
    expect(memoryDemandBytes(input({ modifier, startedAt: minutesAgo(1) }))).toBe(110 * MIB);
  });

  it("grows only from when the leak began, for a container older than the leak", () => {
    const modifier = { memoryMiB: 100, memoryGrowthMiBPerMin: 10, since: minutesAgo(5) };
    expect(memoryDemandBytes(input({ modifier, startedAt: minutesAgo(600) }))).toBe(150 * MIB);
  });

  it("never reports a working set above the limit, though the demand may exceed it", () => {
    const m = input({ modifier: { memoryMiB: 1000 } });
    expect(memoryDemandBytes(m)).toBe(1000 * MIB);
    expect(workingSetBytes(m)).toBe(384 * MIB);
  });
});

describe("CPU throttling", () => {
  it("throttles most periods past the limit and none well under it", () => {
    expect(throttledFraction(300, 1000)).toBe(0);
    expect(throttledFraction(950, 1000)).toBeGreaterThan(0);
    expect(throttledFraction(1500, 1000)).toBe(1);
    expect(throttledFraction(5000, undefined)).toBe(0);
  });
});
