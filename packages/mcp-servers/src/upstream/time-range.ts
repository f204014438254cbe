import { err, ok, type Result } from "@autodevops/shared";

/**
 * Times and durations as tools accept them from a model: RFC3339, unix seconds, `now`,
 * `now-15m`; durations `30s`, `5m`, `1h30m`, `2d`. Pure: the current time is an argument.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;

/** `1h30m` in milliseconds. */
export function parseDuration(value: string): Result<number, string> {
  const s = value.trim();
  if (!DURATION.test(s)) return err(`"${value}" is not a duration; write e.g. 30s, 5m, 1h30m, 2d`);
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
  return total > 0 ? ok(total) : err(`"${value}" is a zero duration`);
}

/** A point in time as unix milliseconds. */
export function parseTime(value: string, now: Date): Result<number, string> {
  const s = value.trim();
  if (s === "now") return ok(now.getTime());
  const rel = /^now\s*-\s*(.+)$/.exec(s);
  if (rel) {
    const d = parseDuration(rel[1] as string);
    return d.ok ? ok(now.getTime() - d.value) : err(`"${value}": ${d.error}`);
  }
  if (/^\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    // Seconds as Prometheus and Tempo take them; 13 digits reads as milliseconds, 19 as nanoseconds.
    if (s.length >= 18) return ok(Math.floor(n / 1e6));
    if (s.length >= 13 && !s.includes(".")) return ok(n);
    return ok(Math.round(n * 1000));
  }
  const ms = Date.parse(s);
  if (/^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(ms)) return ok(ms);
  return err(`"${value}" is not a time; write RFC3339 (2024-05-01T10:00:00Z), unix seconds, or now-15m`);
}

export type TimeRange = { startMs: number; endMs: number };

export type RangeArgs = { start?: string | undefined; end?: string | undefined; since?: string | undefined };

/** start/end (or `since` before end), defaulting to the `defaultSinceMs` before now; an error names the argument. */
export function resolveRange(args: RangeArgs, now: Date, defaultSinceMs: number, maxSpanMs?: number): Result<TimeRange, string> {
  const end = args.end === undefined ? ok(now.getTime()) : parseTime(args.end, now);
  if (!end.ok) return err(`end: ${end.error}`);
  if (args.start !== undefined && args.since !== undefined) return err("give either start or since, not both");
  let startMs: number;
  if (args.start !== undefined) {
    const start = parseTime(args.start, now);
    if (!start.ok) return err(`start: ${start.error}`);
    startMs = start.value;
  } else if (args.since !== undefined) {
    const since = parseDuration(args.since);
    if (!since.ok) return err(`since: ${since.error}`);
    startMs = end.value - since.value;
  } else startMs = end.value - defaultSinceMs;
  if (startMs >= end.value) return err(`start (${new Date(startMs).toISOString()}) must be before end (${new Date(end.value).toISOString()})`);
  if (maxSpanMs !== undefined && end.value - startMs > maxSpanMs) return err(`the range is longer than ${formatDuration(maxSpanMs)}; narrow start/end`);
  return ok({ startMs, endMs: end.value });
}

/** 90061000 → "1d1h1m1s"; under a second → "250ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / 1000);
  let out = "";
  for (const [unit, secs] of [["d", 86_400], ["h", 3600], ["m", 60], ["s", 1]] as const) {
    const n = Math.floor(rest / secs);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * secs;
  }
  return out;
}
