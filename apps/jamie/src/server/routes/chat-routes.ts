import { sendJson, type AuditStore, type Logger } from "@autodevops/shared";
import { z } from "zod";
import type { ChatEvent, Citation, Emit } from "../../agent/chat-events.js";
import type { RateLimiter } from "../../auth/rate-limit.js";
import type { User } from "../../auth/users.js";
import type { ConversationStore, StoredMessage } from "../../portal/conversations.js";
import { jsonBody, type Route } from "../router.js";

/** What the chat API needs of the assistant (apps/jamie/src/agent/assistant.ts). */
export interface ChatAssistant {
  answer(
    input: { message: string; conversationId: string; user: { id: string; role: User["role"] }; history: { role: "user" | "assistant"; text: string }[] },
    emit: Emit,
    signal?: AbortSignal,
  ): Promise<{ answer: string; citations: Citation[] }>;
}

/** Where answered questions go to be recalled later (the vector memory), when there is one. */
export interface ChatMemory {
  remember(input: { kind: "conversation" | "feedback"; text: string; userId: string | null; metadata?: Record<string, string | number | boolean> }): Promise<unknown>;
}

const ChatRequest = z.strictObject({
  message: z.string().trim().min(1, "ask something").max(4000, "keep a question under 4000 characters"),
  conversationId: z.string().regex(/^c-[0-9a-f-]{36}$/, "not a conversation id").optional(),
});
const Feedback = z.strictObject({ messageId: z.string().regex(/^m-[0-9a-f-]{36}$/), rating: z.enum(["up", "down"]), note: z.string().max(1000).optional() });

const HISTORY_TURNS = 10;

/** `POST /api/chat` (CONTRACTS §6: streamed as server-sent events, or one JSON answer), conversations and feedback. */
export function chatRoutes(d: { assistant: ChatAssistant; conversations: ConversationStore; limiter: RateLimiter; audit: AuditStore; memory?: ChatMemory; log: Logger }): Route[] {
  return [
    {
      method: "POST",
      path: /^\/api\/chat$/,
      role: "viewer",
      async handler(ctx) {
        const { req, res, principal } = ctx;
        const limit = d.limiter.take(`chat:${principal.user.name}`);
        if (!limit.ok) return sendJson(res, 429, { error: `easy there: try again in ${limit.retryAfterSec} s` }, { "retry-after": String(limit.retryAfterSec) });
        const body = await jsonBody(ctx, ChatRequest, 32 * 1024);
        if (!body) return;
        const conv = await d.conversations.open(principal.user.name, body.conversationId, body.message);
        if (!conv) return sendJson(res, 404, { error: `no conversation ${body.conversationId ?? ""} of yours` });
        const history = conv.created ? [] : ((await d.conversations.messages(principal.user.name, conv.id)) ?? []).slice(-HISTORY_TURNS).map((m) => ({ role: m.role, text: m.text }));
        await d.conversations.append(conv.id, { role: "user", text: body.message, citations: [], tools: [] });

        const streaming = (req.headers.accept ?? "").includes("text/event-stream");
        const abort = new AbortController();
        res.on("close", () => {
          if (!res.writableFinished) abort.abort();
        });
        const tools = new Map<string, StoredMessage["tools"][number]>();
        const send = (event: string, data: unknown) => {
          if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        };
        if (streaming) {
          res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
          send("conversation", { conversationId: conv.id });
        }
        const emit: Emit = (e: ChatEvent) => {
          if (e.type === "tool") tools.set(e.id, { name: e.name, args: e.args, status: e.status, ...(e.result !== undefined ? { result: e.result } : {}) });
          if (streaming && e.type !== "done") send(e.type, e);
        };
        let answer: { answer: string; citations: Citation[] };
        try {
          answer = await d.assistant.answer({ message: body.message, conversationId: conv.id, user: { id: principal.user.name, role: principal.user.role }, history }, emit, abort.signal);
        } catch (e) {
          d.log.error({ err: e, conversationId: conv.id }, "the assistant failed");
          const error = "Sorry, I fell over answering that; it is logged. Try again, or ask it another way.";
          if (streaming) {
            send("error", { error });
            return void res.end();
          }
          return sendJson(res, 502, { error });
        }
        const messageId = await d.conversations.append(conv.id, { role: "assistant", text: answer.answer, citations: answer.citations, tools: [...tools.values()] });
        await d.audit.append({ actor: `jamie (${principal.user.name})`, type: "chat.answered", data: { conversationId: conv.id, messageId, tools: [...tools.values()].map((t) => t.name), citations: answer.citations.length } }).catch(() => undefined);
        await d.memory?.remember({ kind: "conversation", userId: principal.user.name, text: `Q: ${body.message}\nA: ${answer.answer}`, metadata: { conversationId: conv.id, messageId } }).catch((e: unknown) => d.log.warn({ err: e }, "could not remember the exchange"));
        const out = { conversationId: conv.id, messageId, answer: answer.answer, citations: answer.citations };
        if (streaming) {
          send("done", out);
          return void res.end();
        }
        sendJson(res, 200, out);
      },
    },
    {
      method: "GET",
      path: /^\/api\/conversations$/,
      role: "viewer",
      async handler({ res, principal }) {
        sendJson(res, 200, { conversations: await d.conversations.list(principal.user.name) });
      },
    },
    {
      method: "GET",
      path: /^\/api\/conversations\/(c-[0-9a-f-]{36})$/,
      role: "viewer",
      async handler({ res, principal, params }) {
        const messages = await d.conversations.messages(principal.user.name, params[0] ?? "");
        if (!messages) return sendJson(res, 404, { error: "no such conversation of yours" });
        sendJson(res, 200, { id: params[0], messages });
      },
    },
    {
      method: "POST",
      path: /^\/api\/feedback$/,
      role: "viewer",
      async handler(ctx) {
        const body = await jsonBody(ctx, Feedback, 4096);
        if (!body) return;
        const m = await d.conversations.feedback(ctx.principal.user.name, body.messageId, body.rating, body.note);
        if (!m) return sendJson(ctx.res, 404, { error: "no such answer of yours" });
        await d.memory?.remember({ kind: "feedback", userId: ctx.principal.user.name, text: `${body.rating === "up" ? "helpful" : "unhelpful"} answer: ${m.text.slice(0, 500)}${body.note ? `\nnote: ${body.note}` : ""}`, metadata: { messageId: body.messageId, rating: body.rating } }).catch(() => undefined);
        sendJson(ctx.res, 200, { ok: true });
      },
    },
  ];
}
