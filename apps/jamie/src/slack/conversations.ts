import type { webApi } from "@slack/bolt";
import type { AuditStore, Logger } from "@autodevops/shared";
import { z } from "zod";
import type { Answer, ChatEvent } from "../agent/chat-events.js";
import type { ChatAssistant, ChatMemory } from "../server/routes/chat-routes.js";
import type { ConversationStore } from "../portal/conversations.js";
import { answerBlocks, helpBlocks, progressBlocks } from "./blocks/answer-blocks.js";
import { forSlack } from "./blocks/slack-text.js";
import type { BoltApp } from "./slack-app.js";
import type { SlackPerson } from "./slack-people.js";
import type { SlackStore } from "./slack-store.js";

const HISTORY_TURNS = 10;
/** Placeholder updates at most this often while tools run (Slack rate-limits chat.update). */
const PROGRESS_EVERY_MS = 700;

export interface ConversationDeps {
  assistant: ChatAssistant;
  conversations: ConversationStore;
  store: SlackStore;
  people: (slackUser: string) => SlackPerson;
  audit: AuditStore;
  memory?: ChatMemory;
  log: Logger;
}

// Slack payloads, only the fields used.
const Mention = z.object({ user: z.string(), text: z.string(), ts: z.string(), channel: z.string(), thread_ts: z.string().optional() });
const DirectMessage = z.object({ channel_type: z.literal("im"), user: z.string(), text: z.string().min(1), ts: z.string(), channel: z.string(), thread_ts: z.string().optional(), subtype: z.never().optional(), bot_id: z.never().optional() });
const Command = z.object({ text: z.string(), user_id: z.string(), channel_id: z.string() });

/** `/jamie …` as a question the assistant understands; `help` is answered here. */
export function commandQuestion(text: string): { kind: "help" } | { kind: "ask"; question: string } {
  const t = text.trim().replace(/\s+/g, " ");
  if (t === "" || /^help\b/i.test(t)) return { kind: "help" };
  const status = /^status\s+(.+)$/i.exec(t);
  if (status) return { kind: "ask", question: `status of ${status[1] ?? ""}` };
  if (/^incidents?$/i.test(t)) return { kind: "ask", question: "open incidents" };
  return { kind: "ask", question: t };
}

/**
 * Asks the assistant and shows the answer in Slack: a placeholder first (in the thread), updated
 * as tools run, then replaced by the answer in Block Kit. A thread is one conversation, so a
 * follow-up in it carries the earlier questions.
 */
export async function answerInSlack(d: ConversationDeps, client: webApi.WebClient, q: { question: string; person: SlackPerson; channel: string; threadTs: string | undefined; contextKey: string }): Promise<void> {
  const log = d.log.child({ channel: q.channel, threadTs: q.threadTs, slackUser: q.person.slackUser });
  const owner = `slack:${q.channel}`;
  const known = await d.store.threadConversation(q.channel, q.contextKey);
  const conv = known ? { id: known, created: false } : await d.conversations.open(owner, undefined, q.question);
  if (!conv) throw new Error("a new conversation could not be opened");
  if (!known) await d.store.linkThread(q.channel, q.contextKey, conv.id);
  const history = conv.created ? [] : ((await d.conversations.messages(owner, conv.id)) ?? []).slice(-HISTORY_TURNS).map((m) => ({ role: m.role, text: m.text }));
  await d.conversations.append(conv.id, { role: "user", text: q.question, citations: [], tools: [] });

  const placeholder = await client.chat.postMessage({ channel: q.channel, ...(q.threadTs ? { thread_ts: q.threadTs } : {}), text: "Having a look…", blocks: progressBlocks([]) });
  const ts = placeholder.ts;
  if (!ts) throw new Error("Slack gave the placeholder no ts");
  const tools = new Map<string, { name: string; status: string; args: Record<string, unknown>; result?: string }>();
  let shownAt = 0;
  let updates: Promise<unknown> = Promise.resolve();
  const emit = (e: ChatEvent) => {
    if (e.type !== "tool") return;
    tools.set(e.id, { name: e.name, status: e.status, args: e.args, ...(e.result !== undefined ? { result: e.result } : {}) });
    if (Date.now() - shownAt < PROGRESS_EVERY_MS) return;
    shownAt = Date.now();
    const blocks = progressBlocks([...tools.values()]);
    updates = updates.then(() => client.chat.update({ channel: q.channel, ts, text: "Having a look…", blocks }).catch((err: unknown) => log.warn({ err }, "progress update failed")));
  };
  let answer: Answer;
  try {
    answer = await d.assistant.answer({ message: q.question, conversationId: conv.id, user: { id: q.person.chatId, role: q.person.role }, history }, emit);
  } catch (err) {
    log.error({ err }, "the assistant failed in Slack");
    await updates;
    const sorry = "Sorry, I fell over answering that; it is logged. Try again, or ask it another way.";
    await client.chat.update({ channel: q.channel, ts, text: sorry, blocks: answerBlocks(sorry, []) });
    return;
  }
  await updates;
  await client.chat.update({ channel: q.channel, ts, text: forSlack(answer.answer, 300), blocks: answerBlocks(answer.answer, answer.citations) });
  const messageId = await d.conversations.append(conv.id, { role: "assistant", text: answer.answer, citations: answer.citations, tools: [...tools.values()] });
  await d.audit.append({ actor: `jamie (${q.person.name})`, type: "chat.answered", data: { surface: "slack", channel: q.channel, conversationId: conv.id, messageId, tools: [...tools.values()].map((t) => t.name), citations: answer.citations.length } }).catch(() => undefined);
  await d.memory?.remember({ kind: "conversation", userId: q.person.chatId, text: `Q: ${q.question}\nA: ${answer.answer}`, metadata: { conversationId: conv.id, messageId } }).catch((err: unknown) => log.warn({ err }, "could not remember the exchange"));
}

/** Mentions (answered in their thread), DMs, and the `/jamie` command. */
export function registerConversations(app: BoltApp, d: ConversationDeps): void {
  const fail = (what: string) => (err: unknown) => d.log.error({ err }, `${what} failed`);

  app.event("app_mention", async ({ event, client, context }) => {
    const m = Mention.safeParse(event);
    if (!m.success) return d.log.warn({ issues: m.error.issues.slice(0, 3) }, "unreadable app_mention");
    const question = m.data.text.replace(new RegExp(`<@${context.botUserId ?? "U[A-Z0-9]+"}>`, "g"), "").trim();
    const threadTs = m.data.thread_ts ?? m.data.ts;
    const person = d.people(m.data.user);
    if (!question) {
      await client.chat.postMessage({ channel: m.data.channel, thread_ts: threadTs, text: "Jamie on Slack", blocks: helpBlocks() });
      return;
    }
    await answerInSlack(d, client, { question, person, channel: m.data.channel, threadTs, contextKey: threadTs }).catch(fail("a mention's answer"));
  });

  app.message(async ({ message, client }) => {
    const m = DirectMessage.safeParse(message);
    if (!m.success) return; // a channel message, an edit, a bot's own message: not a question to Jamie
    // In a DM the whole DM is the context, unless the person opened a thread in it.
    const contextKey = m.data.thread_ts ?? "dm";
    await answerInSlack(d, client, { question: m.data.text, person: d.people(m.data.user), channel: m.data.channel, threadTs: m.data.thread_ts, contextKey }).catch(fail("a DM's answer"));
  });

  app.command("/jamie", async ({ command, ack, respond }) => {
    const c = Command.safeParse(command);
    if (!c.success) return ack({ response_type: "ephemeral", text: "I couldn't read that command." });
    const q = commandQuestion(c.data.text);
    if (q.kind === "help") return ack({ response_type: "ephemeral", text: "Jamie on Slack", blocks: helpBlocks() });
    await ack({ response_type: "ephemeral", text: "Having a look…", blocks: progressBlocks([]) });
    const person = d.people(c.data.user_id);
    try {
      // The same assistant, as a conversation of its own per command.
      const conv = await d.conversations.open(`slack:${c.data.channel_id}`, undefined, q.question);
      if (conv) await d.conversations.append(conv.id, { role: "user", text: q.question, citations: [], tools: [] });
      const r = await d.assistant.answer({ message: q.question, conversationId: conv?.id ?? "slack-command", user: { id: person.chatId, role: person.role }, history: [] }, () => undefined);
      await respond({ response_type: "in_channel", text: forSlack(r.answer, 300), blocks: answerBlocks(r.answer, r.citations) });
      if (conv) await d.conversations.append(conv.id, { role: "assistant", text: r.answer, citations: r.citations, tools: [] });
      await d.audit.append({ actor: `jamie (${person.name})`, type: "chat.answered", data: { surface: "slack-command", channel: c.data.channel_id, question: q.question, citations: r.citations.length } }).catch(() => undefined);
    } catch (err) {
      d.log.error({ err }, "a /jamie answer failed");
      await respond({ response_type: "ephemeral", text: "Sorry, I fell over answering that; it is logged." }).catch(fail("the apology"));
    }
  });
}
