import { z } from "zod";

/**
 * How a component's output line looks on the supervisor's terminal. Pino JSON becomes
 * `HH:MM:SS LEVEL msg key=value…`; anything else passes through as written.
 */

const LEVEL_NAMES: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

const PinoLine = z.looseObject({
  level: z.union([z.number(), z.string()]),
  msg: z.string().optional(),
  time: z.union([z.number(), z.string()]).optional(),
});

/** Fields a line carries that a person does not need to read again (the prefix names the service). */
const HIDDEN_FIELDS = new Set(["level", "time", "msg", "hostname", "service", "v"]);

const ANSI = {
  reset: "\u001b[0m",
  bold: "\u001b[1m",
  dim: "\u001b[2m",
  red: "\u001b[31m",
  green: "\u001b[32m",
  yellow: "\u001b[33m",
  blue: "\u001b[34m",
  magenta: "\u001b[35m",
  cyan: "\u001b[36m",
  gray: "\u001b[90m",
} as const;

export type Colour = Exclude<keyof typeof ANSI, "reset">;

/** Wraps text in a colour when colour is on. */
export function paint(text: string, colour: Colour, on: boolean): string {
  return on ? `${ANSI[colour]}${text}${ANSI.reset}` : text;
}

const LEVEL_COLOURS: Record<string, Colour> = { trace: "gray", debug: "gray", info: "green", warn: "yellow", error: "red", fatal: "red" };

/** Distinct colours for component names, assigned in start order. */
export const NAME_COLOURS: readonly Colour[] = ["cyan", "magenta", "blue", "yellow", "green", "red"];

export interface RenderOptions {
  color: boolean;
  /** Formats a line's timestamp; the default is the local wall clock, HH:MM:SS. */
  clock?: (at: Date) => string;
}

const localClock = (at: Date) => at.toTimeString().slice(0, 8);

/** One output line as it is shown (an error's stack adds lines). */
export function renderLogLine(line: string, opts: RenderOptions): string[] {
  const parsed = line.startsWith("{") ? parseJson(line) : undefined;
  const entry = parsed === undefined ? undefined : PinoLine.safeParse(parsed);
  if (!entry?.success) return [line];
  const { level, msg, time, ...rest } = entry.data;
  const label = typeof level === "number" ? (LEVEL_NAMES[level] ?? String(level)) : level;
  const at = time === undefined ? undefined : new Date(time);
  const clock = at && !Number.isNaN(at.getTime()) ? (opts.clock ?? localClock)(at) : "--:--:--";
  const c = opts.color;

  const parts = [paint(clock, "dim", c), paint(label.toUpperCase().padEnd(5), LEVEL_COLOURS[label] ?? "gray", c)];
  if (msg !== undefined && msg !== "") parts.push(msg);
  const extra: string[] = [];
  for (const [key, value] of Object.entries(rest)) {
    if (HIDDEN_FIELDS.has(key) || value === undefined) continue;
    if (key === "err" && isErrorLike(value)) {
      parts.push(`${paint("err=", "dim", c)}${formatValue(value.message)}`);
      // The first stack line repeats the message.
      extra.push(...(value.stack ?? "").split("\n").slice(1).map((l) => paint(`    ${l.trim()}`, "dim", c)));
      continue;
    }
    parts.push(`${paint(`${key}=`, "dim", c)}${formatValue(value)}`);
  }
  return [parts.join(" "), ...extra];
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function isErrorLike(value: unknown): value is { message: string; stack?: string } {
  return typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string";
}

/** Bare when it reads unambiguously, else JSON (quoted strings, compact objects). */
function formatValue(value: unknown): string {
  if (typeof value === "string") return /^[^\s"'=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  return JSON.stringify(value);
}

/** The `name │ ` column in front of each line, padded so that the lines align. */
export function namePrefix(name: string, width: number, colour: Colour, on: boolean): string {
  return `${paint(name.padEnd(width), colour, on)} ${paint("│", "dim", on)} `;
}
