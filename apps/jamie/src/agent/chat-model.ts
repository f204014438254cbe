import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOllama } from "@langchain/ollama";
import { ChatOpenAI } from "@langchain/openai";
import type { Config } from "@autodevops/shared";

/** How long one model call may take; a chat answer is worth waiting for, within reason. */
export const JAMIE_LLM_TIMEOUT_MS = 60_000;

/**
 * Bounds a whole request, body included: ChatOllama has no timeout of its own, and a stream that
 * stalls would otherwise hold the chat open for ever.
 */
function fetchWithDeadline(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  };
}

/** Jamie's chat model from the config (streaming); undefined when no LLM is configured. */
export function jamieChatModel(llm: Config["llm"], opts: { timeoutMs?: number } = {}): BaseChatModel | undefined {
  const timeoutMs = opts.timeoutMs ?? JAMIE_LLM_TIMEOUT_MS;
  switch (llm.provider) {
    case "none":
      return undefined;
    case "ollama":
      return new ChatOllama({ baseUrl: llm.baseUrl, model: llm.model, temperature: 0.2, maxRetries: 1, fetch: fetchWithDeadline(timeoutMs) });
    case "openai":
      return new ChatOpenAI({
        model: llm.model,
        apiKey: llm.apiKey,
        temperature: 0.2,
        streaming: true,
        timeout: timeoutMs,
        maxRetries: 1,
        ...(llm.baseUrl ? { configuration: { baseURL: llm.baseUrl } } : {}),
      });
  }
}
