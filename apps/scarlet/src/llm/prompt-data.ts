/**
 * Text from the cluster (pod logs, annotations, change causes, alert descriptions) reaches the
 * prompts, and anyone who can write those can write "ignore previous instructions". It is passed
 * only inside tagged blocks the system prompt declares to be data, and any tag in it that could
 * close a block early is defused.
 */
const DATA_TAGS = /<(\/?)\s*(data|draft|incident|diagnoses|findings)\b[^>]*>/gi;

/** The text with every tag that could end or open a data block made inert (`<` becomes `‹`). */
export function defuse(text: string): string {
  return text.replace(DATA_TAGS, (_m, slash: string, tag: string) => `‹${slash}${tag}›`);
}

/** One tagged data block: `<tag>` … `</tag>`, with the content defused and cut to `maxChars`. */
export function dataBlock(tag: string, content: string, maxChars: number): string {
  const cut = content.length > maxChars ? `${content.slice(0, maxChars)}\n[cut at ${maxChars} characters]` : content;
  return `<${tag}>\n${defuse(cut)}\n</${tag}>`;
}

/** The text of a model's reply, without the `<think>` block some local reasoning models put first. */
export function replyText(text: string): string {
  return text.replace(/^\s*<think>[\s\S]*?<\/think>/i, "").trim();
}
