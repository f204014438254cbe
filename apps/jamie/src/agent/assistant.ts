import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { z } from "zod";
import type { Logger } from "@autodevops/shared";
import { ChatUser, type AnswerContext, type MemoryHit, type Recall, type ScarletPort } from "./answers/context.js";
import { uniqueCitations, type Answer, type Citation, type Emit } from "./chat-events.js";
import { cachedEstate } from "./estate.js";
import { parseIntent, withHistory } from "./intents.js";
import { answerWithModel } from "./llm-assistant.js";
import { answerWithoutModel } from "./no-llm-assistant.js";
import type { ReadToolbox } from "./read-tools.js";
import { observedToolbox } from "./tool-events.js";

/** What the portal (or Slack) passes for one question. */
export const AnswerInput = z.object({
  message: z.string().min(1).max(8_000),
  conversationId: z.string().min(1),
  user: ChatUser,
  history: z.array(z.object({ role: z.enum(["user", "assistant"]), text: z.string() })).default([]),
});
export type AnswerInput = z.input<typeof AnswerInput>;

export interface AssistantOptions {
  /** The toolbox built for agent "jamie": it offers read tools only. */
  toolbox: ReadToolbox;
  scarlet: ScarletPort;
  recall?: Recall;
  /** The chat model; without one Jamie answers the common questions deterministically. */
  model?: BaseChatModel;
  log: Logger;
  /** owner/name whose commits "what changed" lists (GITHUB_REPOSITORY). */
  githubRepo?: string;
  now?: () => Date;
  /** How long the estate's names are kept before they are read again (default 30 s). */
  estateTtlMs?: number;
}

export interface Assistant {
  /** Answers one message, streaming events to `emit` as it goes; ends with a `done` event. */
  answer(input: AnswerInput, emit: Emit, signal?: AbortSignal): Promise<Answer>;
}

/** Streams a ready answer the way a model would, a few words at a time, so the portal renders either path alike. */
function emitAsTokens(text: string, emit: Emit) {
  for (const piece of text.match(/\S+\s*|\s+/g) ?? []) emit({ type: "token", text: piece });
}

/**
 * Jamie's brain. A change request never reaches a model or a tool: it becomes a proposal to
 * Scarlet (policy and approval decide). Everything else is answered by the LLM agent when there
 * is a model, else deterministically from live data; both only read.
 */
export function createAssistant(opts: AssistantOptions): Assistant {
  const log = opts.log.child({ component: "assistant" });
  const now = opts.now ?? (() => new Date());
  const estateOf = cachedEstate(opts.toolbox, log, { ttlMs: opts.estateTtlMs ?? 30_000 });

  return {
    async answer(raw, emit, signal) {
      const input = AnswerInput.parse(raw);
      const clog = log.child({ conversationId: input.conversationId, user: input.user.id });
      const tools = observedToolbox(opts.toolbox, emit);
      const estate = await estateOf(signal);
      const earlier = input.history.filter((h) => h.role === "user").map((h) => h.text);
      const intent = withHistory(parseIntent(input.message, estate), input.message, earlier, estate);
      clog.info({ intent: intent.type, model: opts.model !== undefined }, "question received");
      const ctx: AnswerContext = { tools, scarlet: opts.scarlet, recall: opts.recall, estate, user: input.user, message: input.message, githubRepo: opts.githubRepo, log: clog, signal, now: now() };

      let result: Answer;
      if (intent.type !== "change-request" && opts.model) {
        try {
          result = await answerWithModel({ model: opts.model, tools, message: input.message, history: input.history, memory: await recallSafely(opts.recall, input.message, input.user.id, clog), estate, emit, signal, log: clog, now: ctx.now });
          if (!result.answer) throw new Error("the model gave an empty answer");
        } catch (e) {
          if (signal?.aborted) throw e;
          // A model that fails must not leave the person without an answer: the data still speaks.
          clog.warn({ err: (e as Error).message }, "model failed; answering without it");
          const fallback = await answerWithoutModel(intent, ctx);
          const note = `(The model didn't answer: ${(e as Error).message.slice(0, 160)}. Here's what the data says.)\n`;
          emitAsTokens(`\n${note}${fallback.answer}`, emit);
          result = { answer: `${note}${fallback.answer}`, citations: fallback.citations };
        }
      } else {
        result = await answerWithoutModel(intent, ctx);
        emitAsTokens(result.answer, emit);
      }
      const citations: Citation[] = uniqueCitations(result.citations);
      for (const citation of citations) emit({ type: "citation", citation });
      emit({ type: "done", answer: result.answer, citations });
      return { answer: result.answer, citations };
    },
  };
}

async function recallSafely(recall: Recall | undefined, query: string, userId: string, log: Logger): Promise<MemoryHit[]> {
  if (!recall) return [];
  try {
    return (await recall(query, userId)).filter((h) => h.score >= 0.3).slice(0, 4);
  } catch (e) {
    log.warn({ err: (e as Error).message }, "memory recall failed; answering without it");
    return [];
  }
}
