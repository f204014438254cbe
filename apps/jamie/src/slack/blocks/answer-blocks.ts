import { Blocks, BlockCollection, Md, type SlackBlockDto } from "slack-block-builder";
import type { Citation } from "../../agent/chat-events.js";
import { chunks, forSlack, redactSecretData, splitProseAndLogs } from "./slack-text.js";

const MAX_BLOCKS = 45; // Slack takes 50 per message; room for the context lines.

/** An answer as Block Kit: prose in sections, log lines in code blocks, sources in a context line. */
export function answerBlocks(answer: string, citations: readonly Citation[]): Readonly<SlackBlockDto>[] {
  // Before the split: whether a value is a Secret's depends on the lines around it.
  const body = splitProseAndLogs(redactSecretData(answer)).flatMap((c) =>
    c.kind === "code"
      ? chunks(forSlack(c.text, 20_000), 2_900).map((t) => Blocks.Section({ text: Md.codeBlock(t) }))
      : chunks(forSlack(c.text, 20_000)).map((t) => Blocks.Section({ text: t })),
  );
  const sources = citations.slice(0, 8).map((c) => `${c.kind}: ${Md.codeInline(forSlack(c.label ?? c.ref, 150))}`);
  return BlockCollection(
    ...body.slice(0, MAX_BLOCKS),
    ...(body.length > MAX_BLOCKS ? [Blocks.Context().elements("… the rest is cut; ask me for a narrower slice.")] : []),
    ...(sources.length ? [Blocks.Context().elements(`Sources — ${sources.join(" · ")}${citations.length > 8 ? ` · +${citations.length - 8}` : ""}`)] : []),
  );
}

/** The placeholder shown while Jamie works, naming the tools it has run so far. */
export function progressBlocks(tools: readonly { name: string; status: string }[]): Readonly<SlackBlockDto>[] {
  const shown = tools.slice(-6).map((t) => `${t.status === "started" ? "⏳" : t.status === "done" ? "✓" : "✗"} ${Md.codeInline(t.name)}`);
  return BlockCollection(Blocks.Section({ text: ":hourglass_flowing_sand: Having a look…" }), ...(shown.length ? [Blocks.Context().elements(shown.join("  "))] : []));
}

/** `/jamie help`. */
export function helpBlocks(): Readonly<SlackBlockDto>[] {
  return BlockCollection(
    Blocks.Header({ text: "Jamie on Slack" }),
    Blocks.Section({ text: "Mention me in a channel (I answer in the thread and remember it), DM me, or use:" }),
    Blocks.Section().fields(`${Md.codeInline("/jamie status shop")}\nhealth of a namespace or workload`, `${Md.codeInline("/jamie incidents")}\nScarlet's open incidents`, `${Md.codeInline("/jamie help")}\nthis`),
    Blocks.Context().elements("I only read. Changes go to Scarlet as proposals that an approver decides."),
  );
}
