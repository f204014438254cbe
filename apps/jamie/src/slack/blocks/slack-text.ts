import { redactToolText } from "../../agent/tool-events.js";

/** Slack's limit on a section's text; longer text is split over sections. */
export const SECTION_MAX = 3000;

/** A base64 value after a key, as a Secret's `data` shows it in YAML (`key: dmFs…`) or JSON (`"key": "dmFs…"`). */
const SECRET_VALUE = /^(\s*"?[\w.-]+"?\s*:\s*"?)[A-Za-z0-9+/]{8,}={0,2}("?,?\s*)$/gm;

/**
 * Secret data a tool or a model echoed (the MCP servers scrub it at the source; a channel is no
 * place to find out they missed some): in text that shows a Secret, base64 values are blanked.
 */
export function redactSecretData(text: string): string {
  return /\bkind"?\s*:\s*"?Secret\b/.test(text) ? text.replace(SECRET_VALUE, "$1[Redacted]$2") : text;
}

/** Text as Slack may show it: credentials and Secret values blanked, `&<>` escaped (mrkdwn), cut at `max`. */
export function forSlack(text: string, max = 2900): string {
  return redactToolText(redactSecretData(text), max).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A line that reads as log or tool output rather than prose: a timestamp first, a quoted log line, or indentation. */
const LOG_LINE = /^(\s{2,}\S|\d{4}-\d\d-\d\dT|\[?\d\d:\d\d:\d\d|(level|ts|time)=|"?(panic|goroutine|Traceback|at \S+\(|E\d{4} ))/;

/** Text as chunks of prose and of log lines, in order; runs of log-like lines become one code chunk. */
export function splitProseAndLogs(text: string): { kind: "prose" | "code"; text: string }[] {
  const out: { kind: "prose" | "code"; text: string }[] = [];
  for (const line of text.split("\n")) {
    const kind = LOG_LINE.test(line) ? "code" : "prose";
    const last = out.at(-1);
    if (last && last.kind === kind) last.text += `\n${line}`;
    else out.push({ kind, text: line });
  }
  return out.map((c) => ({ kind: c.kind, text: c.text.replace(/^\n+|\n+$/g, "") })).filter((c) => c.text.trim() !== "");
}

/** Splits text at line breaks into pieces Slack sections accept. */
export function chunks(text: string, max = SECTION_MAX - 100): string[] {
  const out: string[] = [];
  let cur = "";
  for (const line of text.split("\n")) {
    const piece = line.length > max ? `${line.slice(0, max - 1)}…` : line;
    if (cur && cur.length + piece.length + 1 > max) {
      out.push(cur);
      cur = piece;
    } else cur = cur ? `${cur}\n${piece}` : piece;
  }
  if (cur) out.push(cur);
  return out;
}
