import { paint, type Colour } from "./log-format.js";

/** What the person sees once everything is up: what runs where, and how to get in. */

export type ComponentStatus = "ready" | "done" | "external" | "not built yet" | "not installed";

export interface SummaryRow {
  name: string;
  status: ComponentStatus;
  /** Where it answers, for services; empty for tasks and absent components. */
  url: string;
  /** A short explanation shown after the URL (what a task did, what is missing). */
  note: string;
}

export interface Credential {
  label: string;
  value: string;
  note: string;
}

const STATUS_COLOURS: Record<ComponentStatus, Colour> = {
  ready: "green",
  done: "green",
  external: "cyan",
  "not built yet": "gray",
  "not installed": "yellow",
};

/** The summary table as lines of text (no trailing newline). */
export function renderSummary(input: { rows: SummaryRow[]; credentials: Credential[]; color: boolean }): string {
  const { rows, credentials, color: c } = input;
  const nameWidth = Math.max("COMPONENT".length, ...rows.map((r) => r.name.length));
  const statusWidth = Math.max("STATUS".length, ...rows.map((r) => r.status.length));
  const urlWidth = Math.max("URL".length, ...rows.map((r) => r.url.length));

  const out = ["", `  ${paint("Auto-DevOps is running.", "bold", c)}`, ""];
  out.push(`  ${paint(`${"COMPONENT".padEnd(nameWidth)}  ${"STATUS".padEnd(statusWidth)}  ${"URL".padEnd(urlWidth)}`, "dim", c)}`.trimEnd());
  for (const row of rows) {
    const status = paint(row.status.padEnd(statusWidth), STATUS_COLOURS[row.status], c);
    const note = row.note === "" ? "" : paint(row.note, "dim", c);
    out.push(`  ${row.name.padEnd(nameWidth)}  ${status}  ${row.url.padEnd(urlWidth)}  ${note}`.trimEnd());
  }
  if (credentials.length > 0) {
    const labelWidth = Math.max(...credentials.map((k) => k.label.length));
    out.push("", `  ${paint("For the demo", "bold", c)}`);
    for (const k of credentials) {
      out.push(`  ${k.label.padEnd(labelWidth)}  ${k.value}${k.note === "" ? "" : `  ${paint(k.note, "dim", c)}`}`);
    }
  }
  out.push("", `  ${paint("Ctrl-C stops everything.", "bold", c)}`, "");
  return out.join("\n");
}
