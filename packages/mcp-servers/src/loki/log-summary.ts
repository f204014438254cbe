/**
 * A Loki streams result cut down to what a model can read: lines counted by level, the most
 * frequent error messages (numbers and ids stripped so repeats count together), and the newest
 * few lines of each stream, each truncated. Pure.
 */

export type Level = "error" | "warn" | "info" | "debug" | "unknown";
export type LogStream = { stream: Record<string, string>; values: Array<[string, string]> };

const LEVEL_WORDS: Record<string, Level> = {
  error: "error", err: "error", eror: "error", fatal: "error", panic: "error", critical: "error", crit: "error", emerg: "error", alert: "error", severe: "error",
  warn: "warn", warning: "warn",
  info: "info", information: "info", notice: "info",
  debug: "debug", dbug: "debug", trace: "debug",
};

const FIELD = /(?:^|[\s{,])"?(?:level|lvl|severity)"?\s*[=:]\s*"?([A-Za-z]+)/i;
const ERROR_WORD = /\b(?:ERROR|ERR|FATAL|PANIC|CRITICAL|Exception|Traceback|panic:|E\d{4} )/;
const WARN_WORD = /\b(?:WARN|WARNING|W\d{4} )/;

/** A line's level: its level field (logfmt or JSON), else words such as ERROR, panic:, WARN. */
export function levelOf(line: string): Level {
  const field = FIELD.exec(line)?.[1]?.toLowerCase();
  if (field && LEVEL_WORDS[field]) return LEVEL_WORDS[field];
  if (ERROR_WORD.test(line)) return "error";
  if (WARN_WORD.test(line)) return "warn";
  if (/\bINFO\b|\bLOG:/.test(line)) return "info";
  return "unknown";
}

/** The message of a JSON or logfmt line (its msg field), else the line. */
function messageOf(line: string): string {
  const t = line.trim();
  if (t.startsWith("{")) {
    try {
      const o = JSON.parse(t) as Record<string, unknown>;
      const msg = o.msg ?? o.message ?? o.error ?? o.err;
      if (typeof msg === "string") {
        const detail = typeof o.error === "string" && o.error !== msg ? ` ${o.error}` : "";
        return `${msg}${detail}`;
      }
    } catch {
      // not JSON after all: the whole line is the message
    }
  }
  const logfmt = /(?:^|\s)msg=(?:"((?:[^"\\]|\\.)*)"|(\S+))/.exec(t);
  if (logfmt) {
    const errField = /(?:^|\s)err(?:or)?=(?:"((?:[^"\\]|\\.)*)"|(\S+))/.exec(t);
    return `${logfmt[1] ?? logfmt[2]}${errField ? ` ${errField[1] ?? errField[2]}` : ""}`;
  }
  return t;
}

/**
 * The message with what varies between repeats replaced: timestamps, UUIDs, hex ids, IPs,
 * pod-name suffixes, numbers. Two lines that differ only in those count as one message.
 */
export function normaliseMessage(line: string): string {
  return messageOf(line)
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, "<time>")
    .replace(/\b\d{2}:\d{2}:\d{2}(?:\.\d+)?\b/g, "<time>")
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uuid>")
    .replace(/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, "<ip>")
    .replace(/\b([a-z][a-z0-9-]*?)-[a-z0-9]{8,10}-[a-z0-9]{5}\b/g, "$1-<pod>")
    .replace(/\b0x[0-9a-f]+\b/gi, "<hex>")
    .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, "<id>")
    .replace(/-?\b\d+(?:\.\d+)?(?:ms|s|m|h|µs|us|ns|%|[KMG]i?B?)?\b/g, "<n>")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 200);
}

export type SummaryOptions = {
  linesPerStream: number;
  maxStreams: number;
  maxLineChars: number;
  topMessages: number;
  /** Characters of log lines shown in all, across streams: the newest lines of the noisiest streams come first. */
  budgetChars: number;
};

export type LogSummary = {
  lines: number;
  streams: number;
  byLevel: Record<Level, number>;
  topErrors: Array<{ message: string; count: number; level: Level; example: string; lastAt: string }>;
  commonLabels: Record<string, string>;
  newest: Array<{ labels: string; lines: number; errors: number; newest: Array<{ at: string; line: string }> }>;
  /** Lines left out of `newest` to keep within the character budget. */
  omittedLines: number;
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const nsToIso = (ns: string): string => new Date(Number(BigInt(ns) / 1_000_000n)).toISOString();
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}… [${s.length - n} more chars]` : s);
const labelText = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(", ")}}`;

export function summariseStreams(result: readonly LogStream[], o: SummaryOptions): LogSummary {
  const byLevel: Record<Level, number> = { error: 0, warn: 0, info: 0, debug: 0, unknown: 0 };
  const messages = new Map<string, { count: number; level: Level; example: string; lastNs: bigint }>();
  const perStream = result.map((s) => {
    let errors = 0;
    for (const [ns, line] of s.values) {
      const level = levelOf(line);
      byLevel[level]++;
      if (level !== "error" && level !== "warn") continue;
      if (level === "error") errors++;
      const key = `${level} ${normaliseMessage(line)}`;
      const m = messages.get(key);
      const at = BigInt(ns);
      if (m) {
        m.count++;
        if (at > m.lastNs) m.lastNs = at;
      } else messages.set(key, { count: 1, level, example: line, lastNs: at });
    }
    // Newest first, whichever direction Loki answered in.
    const newest = [...s.values].sort((a, b) => (BigInt(b[0]) > BigInt(a[0]) ? 1 : BigInt(b[0]) < BigInt(a[0]) ? -1 : 0)).slice(0, o.linesPerStream);
    return { labels: s.stream, lines: s.values.length, errors, newest, newestNs: newest[0] ? BigInt(newest[0][0]) : 0n };
  });
  const topErrors = [...messages.entries()]
    .sort(([, a], [, b]) => Number(b.level === "error") - Number(a.level === "error") || b.count - a.count)
    .slice(0, o.topMessages)
    .map(([key, m]) => ({ message: key.slice(m.level.length + 1), count: m.count, level: m.level, example: clip(m.example, o.maxLineChars), lastAt: nsToIso(m.lastNs.toString()) }));
  const shown = perStream.sort((a, b) => b.errors - a.errors || (b.newestNs > a.newestNs ? 1 : b.newestNs < a.newestNs ? -1 : 0)).slice(0, o.maxStreams);
  const common = commonLabels(shown.map((s) => s.labels));
  // Round by round (each stream's newest line, then each one's second…) so every stream shown gets lines before any gets many.
  const taken = shown.map(() => [] as Array<{ at: string; line: string }>);
  let budget = o.budgetChars;
  let omittedLines = 0;
  for (let round = 0; round < o.linesPerStream; round++) {
    shown.forEach((s, i) => {
      const entry = s.newest[round];
      if (!entry) return;
      const text = clip(entry[1], o.maxLineChars);
      if (text.length > budget) omittedLines++;
      else {
        budget -= text.length;
        taken[i]?.push({ at: nsToIso(entry[0]), line: text });
      }
    });
  }
  return {
    lines: perStream.reduce((n, s) => n + s.lines, 0),
    streams: result.length,
    byLevel,
    topErrors,
    commonLabels: common,
    newest: shown.map((s, i) => ({
      labels: labelText(Object.fromEntries(Object.entries(s.labels).filter(([k]) => !(k in common)))),
      lines: s.lines,
      errors: s.errors,
      newest: taken[i] ?? [],
    })),
    omittedLines,
  };
}

function commonLabels(all: ReadonlyArray<Record<string, string>>): Record<string, string> {
  if (all.length < 2) return {};
  const [first, ...rest] = all as [Record<string, string>, ...Array<Record<string, string>>];
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((r) => r[k] === v)));
}

/** The summary as text: levels, top errors, each stream's count (the lines themselves are in the data). */
export function summaryText(query: string, s: LogSummary, limit: number, direction: "forward" | "backward"): string {
  if (s.lines === 0) return `${query}: no lines in the range (check the selector with loki_labels / loki_label_values, or widen since)`;
  const levels = (Object.entries(s.byLevel) as Array<[Level, number]>).filter(([, n]) => n > 0).map(([l, n]) => `${l} ${n}`).join(", ");
  const out = [`${query}: ${s.lines} lines from ${s.streams} streams${s.lines >= limit ? ` (the limit of ${limit} was reached: ${direction === "backward" ? "older" : "newer"} lines were not read)` : ""}; by level: ${levels}`];
  if (s.topErrors.length) {
    out.push("top error and warning messages (numbers and ids stripped):");
    for (const e of s.topErrors) out.push(`  ${String(e.count).padStart(5)} × ${e.level} ${e.message} (last ${e.lastAt})`);
  }
  if (Object.keys(s.commonLabels).length) out.push(`streams share ${labelText(s.commonLabels)}`);
  out.push("streams (most errors first; their newest lines are in `newest` below):");
  for (const st of s.newest) out.push(`  ${st.labels}: ${plural(st.lines, "line")}${st.errors ? `, ${plural(st.errors, "error")}` : ""}`);
  if (s.streams > s.newest.length) out.push(`  … ${s.streams - s.newest.length} more streams not shown (narrow the selector)`);
  if (s.omittedLines > 0) out.push(`  (${s.omittedLines} lines left out to keep the answer short; narrow the selector or add a line filter such as |= "error")`);
  return out.join("\n");
}
