/** The first line of a commit message, cut to `max` characters. */
export function firstLine(message: string, max = 200): string {
  return clip(message.split("\n", 1)[0] ?? "", max);
}

/** `text` cut to `max` characters, saying so. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}
