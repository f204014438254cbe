/** The most characters a tool's text result carries: enough to read, never enough to flood a model's context. */
export const DEFAULT_MAX_OUTPUT_CHARS = 24_000;

/** `text` cut at `max` characters on a line boundary, with a note of what was left out. */
export function boundText(text: string, max = DEFAULT_MAX_OUTPUT_CHARS): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf("\n", max);
  const head = text.slice(0, cut > max * 0.5 ? cut : max);
  const omitted = text.length - head.length;
  return `${head}\n… [${omitted} more characters left out; narrow the query (namespace, labels, limit, time range) to see them]`;
}
