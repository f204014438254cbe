/** A reader of the Prometheus text exposition format (0.0.4): the samples, without HELP or TYPE. */

export interface ExpositionSample {
  /** The series name as written, with any `_bucket` / `_sum` / `_count` suffix. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseValue(s: string): number {
  if (s === "+Inf" || s === "Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  if (s === "NaN") return NaN;
  const v = Number(s);
  if (s === "" || Number.isNaN(v)) throw new Error(`not a sample value: ${s}`);
  return v;
}

/** Labels from `i` (just after `{`) to the closing `}`; returns them and the index after `}`. */
function parseLabels(line: string, i: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  for (;;) {
    while (line[i] === " " || line[i] === ",") i++;
    if (line[i] === "}") return [labels, i + 1];
    const name = NAME.exec(line.slice(i))?.[0];
    if (!name) throw new Error(`bad label name at ${i}`);
    i += name.length;
    while (line[i] === " ") i++;
    if (line[i] !== "=" || line[i + 1] !== '"') throw new Error(`expected ="… after label ${name}`);
    i += 2;
    let value = "";
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new Error(`unterminated value of label ${name}`);
      i++;
      if (c === '"') break;
      if (c === "\\") {
        const e = line[i++];
        value += e === "n" ? "\n" : (e ?? "");
      } else value += c;
    }
    labels[name] = value;
  }
}

/**
 * Every sample of the text; a line that cannot be read is left out and counted in `skipped`,
 * so one odd series does not cost the scrape.
 */
export function parseExposition(text: string): { samples: ExpositionSample[]; skipped: number } {
  const samples: ExpositionSample[] = [];
  let skipped = 0;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    try {
      const name = NAME.exec(line)?.[0];
      if (!name) throw new Error("bad metric name");
      let labels: Record<string, string> = {};
      let i = name.length;
      if (line[i] === "{") [labels, i] = parseLabels(line, i + 1);
      // The value, then an optional timestamp, which a scrape of "now" does not need.
      const [value] = line.slice(i).trim().split(/\s+/);
      samples.push({ name, labels, value: parseValue(value ?? "") });
    } catch {
      skipped++;
    }
  }
  return { samples, skipped };
}
