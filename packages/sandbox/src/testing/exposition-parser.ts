/** One sample of the Prometheus text format. */
export type Series = { name: string; labels: Record<string, string>; value: number };
export type ParsedExposition = { types: Map<string, string>; helps: Set<string>; series: Series[] };

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

/** A strict reader of the text format for tests: throws on any line it does not understand. */
export function parseExposition(text: string): ParsedExposition {
  if (!text.endsWith("\n")) throw new Error("exposition does not end with a newline");
  const out: ParsedExposition = { types: new Map(), helps: new Set(), series: [] };
  for (const line of text.trimEnd().split("\n")) {
    const meta = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === "HELP") out.helps.add(meta[2] ?? "");
      else out.types.set(meta[2] ?? "", meta[3] ?? "");
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`malformed line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? "";
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const l = LABEL.exec(body);
      if (!l) throw new Error(`malformed labels: ${line}`);
      labels[l[1] ?? ""] = l[2] ?? "";
    }
    const value = Number(m[3] === "+Inf" ? Infinity : m[3]);
    if (Number.isNaN(value)) throw new Error(`malformed value: ${line}`);
    out.series.push({ name: m[1] ?? "", labels, value });
  }
  return out;
}

/** The samples of `name` whose labels include `labels`. */
export function samples(parsed: ParsedExposition, name: string, labels: Record<string, string> = {}): Series[] {
  return parsed.series.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}
