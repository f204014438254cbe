import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { createAgent } from "langchain";
import { z } from "zod";
import { toLangChainTools } from "@autodevops/mcp-clients";
import type { Logger } from "@autodevops/shared";
import type { MemoryHit } from "./answers/context.js";
import { Citation, uniqueCitations, type Answer, type Emit } from "./chat-events.js";
import type { Estate } from "./estate.js";
import { memoryContext, systemPrompt } from "./persona.js";
import type { ReadToolbox } from "./read-tools.js";

/** Model turns (each a call of the model) one answer may take before it stops. */
export const MAX_AGENT_STEPS = 8;

export interface ModelAnswerInput {
  model: BaseChatModel;
  /** Read-only tools, already observed (they emit `tool` events). */
  tools: ReadToolbox;
  message: string;
  history: readonly { role: "user" | "assistant"; text: string }[];
  memory: readonly MemoryHit[];
  estate: Estate;
  emit: Emit;
  signal?: AbortSignal | undefined;
  log: Logger;
  now: Date;
}

type Call = { tool: string; args: Record<string, unknown>; ok: boolean };

const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);

/** What a read tool call looked at, as a citation: the data an answer from it rests on. */
export function citationOfCall(c: Call): Citation | undefined {
  if (!c.ok) return undefined;
  const a = c.args;
  const cluster = str(a.cluster) ?? "prod";
  const ns = str(a.namespace);
  const tool = c.tool.includes("__") ? c.tool.slice(c.tool.indexOf("__") + 2) : c.tool;
  switch (tool) {
    case "describe":
      return str(a.name) && str(a.kind) ? { kind: "resource", ref: [cluster, ns, String(a.kind).toLowerCase(), a.name].filter(Boolean).join("/"), label: `${String(a.kind)} ${String(a.name)}` } : undefined;
    case "rollout_history":
      return ns && str(a.deployment) ? { kind: "resource", ref: `${cluster}/${ns}/deployment/${String(a.deployment)}`, label: `rollout history of ${String(a.deployment)}` } : undefined;
    case "get_resource":
      return str(a.name) ? { kind: "resource", ref: [cluster, ns, str(a.kind)?.toLowerCase(), a.name].filter(Boolean).join("/") } : undefined;
    case "list_pods":
    case "list_workloads":
    case "resource_usage":
      return { kind: "resource", ref: ns ? `${cluster}/namespace/${ns}` : cluster, label: `${tool.replace("_", " ")} in ${ns ? `${cluster}/${ns}` : cluster}` };
    case "list_nodes":
      return { kind: "resource", ref: `${cluster}/nodes`, label: `nodes of ${cluster}` };
    case "list_events":
      return { kind: "event", ref: `${cluster}/${ns ?? "*"}/events${str(a.name) ? `/${String(a.name)}` : ""}`, label: `events in ${cluster}${ns ? `/${ns}` : ""}` };
    case "pod_logs":
      return ns && str(a.pod) ? { kind: "log", ref: `${cluster}/${ns}/pod/${String(a.pod)}/logs${a.previous === true ? "?previous=true" : ""}`, label: `log of ${String(a.pod)}` } : undefined;
    case "loki_query_range":
      return str(a.query) ? { kind: "log", ref: String(a.query), label: "Loki query" } : undefined;
    case "prometheus_query":
    case "prometheus_query_range":
      return str(a.query) ? { kind: "metric", ref: String(a.query), label: "PromQL" } : undefined;
    case "prometheus_alerts":
      return { kind: "metric", ref: `ALERTS{cluster="${cluster}"}`, label: "Prometheus alerts" };
    case "tempo_get_trace":
      return str(a.traceId) ?? str(a.traceID) ? { kind: "trace", ref: String(a.traceId ?? a.traceID), label: "trace" } : undefined;
    case "tempo_search":
      return { kind: "trace", ref: str(a.query) ?? str(a.service) ?? `tempo search ${cluster}`, label: "Tempo search" };
    default:
      return undefined;
  }
}

const CITED = /\[(metric|log|trace|event|incident|resource):\s*([^\]\n]{1,300})\]/g;

/** Citations the model wrote into its answer as `[kind: ref]`, validated. */
export function citationsInText(text: string): Citation[] {
  const out: Citation[] = [];
  for (const m of text.matchAll(CITED)) {
    const c = Citation.safeParse({ kind: m[1], ref: m[2]?.trim() });
    if (c.success) out.push(c.data);
  }
  return out;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => (p && typeof p === "object" && "text" in p && typeof p.text === "string" ? p.text : "")).join("");
  return "";
}

const StreamItem = z.tuple([z.unknown(), z.record(z.string(), z.unknown()).optional()]);

/**
 * Answers with the LLM agent (`createAgent` from langchain) over the read-only MCP tools, the
 * memory hits given as context. Streams the model's tokens as they come; tool calls stream as
 * events from the observed toolbox. The answer is the last model turn's text; citations are the
 * data its tool calls read, plus any it wrote as `[kind: ref]`.
 */
export async function answerWithModel(i: ModelAnswerInput): Promise<Answer> {
  const calls: Call[] = [];
  const recording: ReadToolbox = {
    listTools: () => i.tools.listTools(),
    async call(name, args = {}, opts) {
      const r = await i.tools.call(name, args, opts);
      calls.push({ tool: name, args, ok: r.ok });
      return r;
    },
  };
  const memory = memoryContext(i.memory);
  const prompt = [systemPrompt({ clusters: i.estate.clusters.map((c) => c.name), defaultCluster: i.estate.defaultCluster, now: i.now }), memory].filter(Boolean).join("\n\n");
  const agent = createAgent({ model: i.model, tools: toLangChainTools(recording), systemPrompt: prompt });
  const messages: BaseMessage[] = [...i.history.slice(-12).map((h) => (h.role === "user" ? new HumanMessage(h.text) : new AIMessage(h.text))), new HumanMessage(i.message)];

  // Text per model turn (message id), in order; the answer is the last turn's.
  const turns = new Map<string, { text: string; toolCalls: boolean }>();
  let anonymous = 0;
  const stream = await agent.stream({ messages }, { streamMode: "messages", recursionLimit: MAX_AGENT_STEPS * 2 + 1, ...(i.signal ? { signal: i.signal } : {}) });
  for await (const item of stream) {
    const parsed = StreamItem.safeParse(item);
    if (!parsed.success) continue;
    const msg = parsed.data[0];
    const isChunk = AIMessageChunk.isInstance(msg);
    if (!isChunk && !AIMessage.isInstance(msg)) continue;
    const id = msg.id ?? `turn-${anonymous}`;
    const turn = turns.get(id) ?? { text: "", toolCalls: false };
    // A whole message after its streamed chunks repeats them: only a message never streamed counts.
    if (!isChunk && turns.has(id) && turn.text) continue;
    const text = textOf(msg.content);
    if (text) {
      turn.text += text;
      i.emit({ type: "token", text });
    }
    if ((msg.tool_calls?.length ?? 0) > 0 || (isChunk && (msg.tool_call_chunks?.length ?? 0) > 0)) turn.toolCalls = true;
    turns.set(id, turn);
    if (!msg.id) anonymous += 1;
  }
  const answered = [...turns.values()].filter((t) => !t.toolCalls && t.text.trim());
  const answer = answered.at(-1)?.text.trim() ?? "";
  i.log.info({ toolCalls: calls.length, turns: turns.size, chars: answer.length }, "model answered");
  const citations = uniqueCitations([...calls.map(citationOfCall).filter((c): c is Citation => c !== undefined), ...citationsInText(answer)]);
  return { answer, citations };
}
