import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOllama } from "@langchain/ollama";
import { ChatOpenAI } from "@langchain/openai";
import type { Config } from "@autodevops/shared";

/** How long one LLM call may take before Scarlet carries on without it. */
export const LLM_TIMEOUT_MS = 30_000;

export interface ChatModelOptions {
  /** Longest wait for one whole reply (wall ms); default {@link LLM_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/**
 * ChatOllama has no timeout of its own, and LangChain's call-level timeout is only checked between
 * streamed chunks, so a server that never answers would hang the node. This bounds the whole
 * request, body included, by aborting the fetch itself.
 */
function fetchWithDeadline(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    return fetch(input, { ...init, signal });
  };
}

/** The chat model the config names, deterministic and bounded in time; undefined without an LLM. */
export function chatModelFor(llm: Config["llm"], opts: ChatModelOptions = {}): BaseChatModel | undefined {
  const timeoutMs = opts.timeoutMs ?? LLM_TIMEOUT_MS;
  switch (llm.provider) {
    case "none":
      return undefined;
    case "ollama":
      return new ChatOllama({
        baseUrl: llm.baseUrl,
        model: llm.model,
        temperature: 0,
        maxRetries: 1,
        fetch: fetchWithDeadline(timeoutMs),
      });
    case "openai":
      return new ChatOpenAI({
        model: llm.model,
        apiKey: llm.apiKey,
        temperature: 0,
        timeout: timeoutMs,
        maxRetries: 1,
        ...(llm.baseUrl ? { configuration: { baseURL: llm.baseUrl } } : {}),
      });
  }
}
