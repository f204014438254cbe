import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { Citation } from "../agent/chat-events.js";

export interface StoredMessage {
  id: string;
  role: "user" | "assistant";
  text: string;
  citations: Citation[];
  tools: { name: string; args: Record<string, unknown>; status: string; result?: string }[];
  feedback: "up" | "down" | null;
  createdAt: string;
}
export interface ConversationSummary {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
}

type MessageRow = { id: string; role: "user" | "assistant"; text: string; citations: Citation[]; tools: StoredMessage["tools"]; feedback: "up" | "down" | null; created_at: Date };
const toMessage = (r: MessageRow): StoredMessage => ({ id: r.id, role: r.role, text: r.text, citations: r.citations, tools: r.tools, feedback: r.feedback, createdAt: r.created_at.toISOString() });

/** Conversations per person in Postgres; a person only ever reads their own. */
export class ConversationStore {
  constructor(private readonly pool: pg.Pool) {}

  /** The conversation when it is `user`'s; a new one (titled by the first question) when `id` is absent. */
  async open(user: string, id: string | undefined, firstMessage: string): Promise<{ id: string; created: boolean } | undefined> {
    if (id !== undefined) {
      const r = await this.pool.query("SELECT 1 FROM jamie_conversations WHERE id = $1 AND user_name = $2", [id, user]);
      return r.rowCount ? { id, created: false } : undefined;
    }
    const newId = `c-${randomUUID()}`;
    await this.pool.query("INSERT INTO jamie_conversations (id, user_name, title) VALUES ($1, $2, $3)", [newId, user, firstMessage.slice(0, 80)]);
    return { id: newId, created: true };
  }

  async append(conversationId: string, m: Omit<StoredMessage, "id" | "createdAt" | "feedback">): Promise<string> {
    const id = `m-${randomUUID()}`;
    await this.pool.query("INSERT INTO jamie_messages (id, conversation_id, role, text, citations, tools) VALUES ($1, $2, $3, $4, $5, $6)", [id, conversationId, m.role, m.text, JSON.stringify(m.citations), JSON.stringify(m.tools)]);
    await this.pool.query("UPDATE jamie_conversations SET updated_at = now() WHERE id = $1", [conversationId]);
    return id;
  }

  async list(user: string, limit = 50): Promise<ConversationSummary[]> {
    const r = await this.pool.query<{ id: string; title: string; created_at: Date; updated_at: Date }>("SELECT id, title, created_at, updated_at FROM jamie_conversations WHERE user_name = $1 ORDER BY updated_at DESC LIMIT $2", [user, limit]);
    return r.rows.map((x) => ({ id: x.id, title: x.title, createdAt: x.created_at.toISOString(), updatedAt: x.updated_at.toISOString() }));
  }

  /** A conversation's messages, oldest first; undefined when it is not `user`'s. */
  async messages(user: string, id: string): Promise<StoredMessage[] | undefined> {
    const own = await this.pool.query("SELECT 1 FROM jamie_conversations WHERE id = $1 AND user_name = $2", [id, user]);
    if (!own.rowCount) return undefined;
    const r = await this.pool.query<MessageRow>("SELECT id, role, text, citations, tools, feedback, created_at FROM jamie_messages WHERE conversation_id = $1 ORDER BY created_at, id", [id]);
    return r.rows.map(toMessage);
  }

  /** Records a thumbs up or down on one of `user`'s answers; returns the message, or undefined when it is not theirs. */
  async feedback(user: string, messageId: string, rating: "up" | "down", note: string | undefined): Promise<{ conversationId: string; text: string } | undefined> {
    const r = await this.pool.query<{ conversation_id: string; text: string }>(
      `UPDATE jamie_messages m SET feedback = $3, feedback_note = $4
         FROM jamie_conversations c
        WHERE m.id = $1 AND m.conversation_id = c.id AND c.user_name = $2 AND m.role = 'assistant'
      RETURNING m.conversation_id, m.text`,
      [messageId, user, rating, note ?? null],
    );
    const row = r.rows[0];
    return row ? { conversationId: row.conversation_id, text: row.text } : undefined;
  }
}
