import type { Config, Incident, Logger } from "@autodevops/shared";
import { chatModelFor, type ChatModelOptions } from "./chat-model.js";
import { llmRanker, type RankingInput } from "./hypothesis-ranker.js";
import { llmSummarizer } from "./incident-summarizer.js";

/** The graph's optional LLM hooks; both absent without an LLM, and neither ever rejects. */
export interface LlmHooks {
  summarize?: (incident: Incident, draft: string) => Promise<string>;
  rank?: (input: RankingInput) => Promise<number[]>;
}

/** Builds the hooks for the configured LLM, once, at start. */
export function llmHooks(llm: Config["llm"], log: Logger, opts: ChatModelOptions = {}): LlmHooks {
  const model = chatModelFor(llm, opts);
  if (!model) return {};
  const child = log.child({ component: "llm", provider: llm.provider, model: llm.provider === "none" ? undefined : llm.model });
  return { summarize: llmSummarizer(model, child), rank: llmRanker(model, child) };
}
