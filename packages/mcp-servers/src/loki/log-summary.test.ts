import { describe, expect, it } from "vitest";
import { levelOf, normaliseMessage, summariseStreams, summaryText, type LogStream } from "./log-summary.js";

const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
const T0 = Date.parse("2026-01-01T00:00:00Z");

describe("levelOf", () => {
  it.each([
    ['{"level":"error","msg":"db down"}', "error"],
    ['level=warn msg="slow"', "warn"],
    ["lvl=INFO msg=ok", "info"],
    ['{"severity":"debug"}', "debug"],
    ["panic: runtime error: index out of range", "error"],
    ["2026-01-01 10:00:00 ERROR something broke", "error"],
    ["W0101 10:00:00 client-go: throttling", "warn"],
    ["2026-01-01 10:00:00.000 UTC [1] LOG:  checkpoint starting", "info"],
    ["1:M 01 Jan 2026 * Ready to accept connections tcp", "unknown"],
  ])("reads %s as %s", (line, level) => {
    expect(levelOf(line)).toBe(level);
  });
});

describe("normaliseMessage", () => {
  it("counts lines that differ only in numbers, ids, times and pod names as one message", () => {
    const a = normaliseMessage('{"level":"error","ts":"2026-01-01T10:00:00.123Z","msg":"payment 4711 failed for order 9f86d081884c7d65","error":"timeout after 3000ms","service":"payments"}');
    const b = normaliseMessage('{"level":"error","ts":"2026-01-01T10:05:00.999Z","msg":"payment 12 failed for order 1c2d3e4f5a6b7c8d","error":"timeout after 250ms","service":"payments"}');
    expect(a).toBe(b);
    expect(a).toBe("payment <n> failed for order <id> timeout after <n>");
    expect(normaliseMessage('level=error msg="dial 10.0.3.7:6379 refused" pod=cart-77fd8f7d47-ndk6z')).toBe("dial <ip> refused");
    expect(normaliseMessage("error in cart-77fd8f7d47-ndk6z: request 3fa85f64-5717-4562-b3fc-2c963f66afa6")).toBe("error in cart-<pod>: request <uuid>");
  });
});

describe("summariseStreams", () => {
  const stream = (pod: string, lines: string[]): LogStream => ({
    stream: { cluster: "prod", namespace: "shop", pod, container: "app" },
    values: lines.map((l, i) => [ns(T0 + i * 1000), l] as [string, string]).reverse(),
  });

  it("counts levels, ranks error messages by count, and shows the noisiest streams' newest lines first", () => {
    const s = summariseStreams(
      [
        stream("quiet", ['{"level":"info","msg":"ok"}', '{"level":"info","msg":"ok"}']),
        stream("noisy", ['{"level":"error","msg":"db timeout 1"}', '{"level":"error","msg":"db timeout 2"}', '{"level":"warn","msg":"slow"}', "panic: boom"]),
      ],
      { linesPerStream: 2, maxStreams: 10, maxLineChars: 100, topMessages: 5, budgetChars: 10_000 },
    );
    expect(s.byLevel).toEqual({ error: 3, warn: 1, info: 2, debug: 0, unknown: 0 });
    expect(s.topErrors.map((e) => [e.count, e.level, e.message])).toEqual([
      [2, "error", "db timeout <n>"],
      [1, "error", "panic: boom"],
      [1, "warn", "slow"],
    ]);
    expect(s.commonLabels).toEqual({ cluster: "prod", namespace: "shop", container: "app" });
    expect(s.newest[0]).toMatchObject({ labels: '{pod="noisy"}', lines: 4, errors: 3 });
    expect(s.newest[0]?.newest.map((l) => l.line)).toEqual(["panic: boom", '{"level":"warn","msg":"slow"}']);
  });

  it("keeps a flood of long lines within its character budget, every stream shown getting its newest line first", () => {
    const flood = Array.from({ length: 200 }, (_, i) => stream(`pod-${i}`, Array.from({ length: 50 }, (_, j) => `level=error msg="failure ${j}" ${"x".repeat(2000)}`)));
    const s = summariseStreams(flood, { linesPerStream: 50, maxStreams: 20, maxLineChars: 300, topMessages: 10, budgetChars: 9000 });
    expect(s.lines).toBe(10_000);
    expect(s.newest).toHaveLength(20);
    const shown = s.newest.flatMap((st) => st.newest);
    expect(shown.reduce((n, l) => n + l.line.length, 0)).toBeLessThanOrEqual(9000);
    expect(s.newest.every((st) => st.newest.length >= 1)).toBe(true);
    expect(shown[0]?.line).toMatch(/… \[\d+ more chars\]$/);
    expect(s.omittedLines).toBeGreaterThan(900);
    expect(s.topErrors).toEqual([expect.objectContaining({ count: 10_000, message: "failure <n>" })]);
    const text = summaryText("{}", s, 10_000, "backward");
    expect(text.length).toBeLessThan(6000);
    expect(text).toMatch(/180 more streams not shown/);
    expect(text).toMatch(/lines left out to keep the answer short/);
  });
});
