import type pg from "pg";
import { z } from "zod";

/** A message Jamie keeps up to date: where it is, and the state it last showed. */
export const KeptMessage = z.object({ kind: z.enum(["incident", "approval"]), refId: z.string(), channel: z.string(), ts: z.string(), state: z.string() });
export type KeptMessage = z.infer<typeof KeptMessage>;

const Row = z.object({ kind: z.enum(["incident", "approval"]), ref_id: z.string(), channel: z.string(), ts: z.string(), state: z.string() });
const toKept = (r: unknown): KeptMessage => {
  const x = Row.parse(r);
  return { kind: x.kind, refId: x.ref_id, channel: x.channel, ts: x.ts, state: x.state };
};

/** Slack's state in Postgres (migration 0101): kept messages, thread conversations, seen event ids. */
export class SlackStore {
  constructor(private readonly pool: pg.Pool) {}

  /** The kept message; `ts` is empty while a replica is posting it. */
  async message(kind: KeptMessage["kind"], refId: string): Promise<KeptMessage | undefined> {
    const r = await this.pool.query("SELECT kind, ref_id, channel, ts, state FROM jamie_slack_messages WHERE kind = $1 AND ref_id = $2", [kind, refId]);
    return r.rows[0] ? toKept(r.rows[0]) : undefined;
  }

  async keep(m: KeptMessage): Promise<void> {
    await this.pool.query(
      `INSERT INTO jamie_slack_messages (kind, ref_id, channel, ts, state) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (kind, ref_id) DO UPDATE SET channel = EXCLUDED.channel, ts = EXCLUDED.ts, state = EXCLUDED.state, updated_at = now()`,
      [m.kind, m.refId, m.channel, m.ts, m.state],
    );
  }

  /**
   * Claims the right to post the message about `refId` (every replica hears the same events): true
   * for one caller, who then posts and `keep`s the ts. A claim left without a ts for a minute (its
   * replica died while posting) can be taken again.
   */
  async claim(kind: KeptMessage["kind"], refId: string, channel: string, state: string): Promise<boolean> {
    const r = await this.pool.query(
      `INSERT INTO jamie_slack_messages (kind, ref_id, channel, ts, state) VALUES ($1, $2, $3, '', $4)
       ON CONFLICT (kind, ref_id) DO UPDATE SET channel = EXCLUDED.channel, state = EXCLUDED.state, updated_at = now()
         WHERE jamie_slack_messages.ts = '' AND jamie_slack_messages.updated_at < now() - interval '1 minute'
       RETURNING ref_id`,
      [kind, refId, channel, state],
    );
    return r.rows.length === 1;
  }

  /** Gives a claim back when the post failed, so the next event tries again. */
  async release(kind: KeptMessage["kind"], refId: string): Promise<void> {
    await this.pool.query("DELETE FROM jamie_slack_messages WHERE kind = $1 AND ref_id = $2 AND ts = ''", [kind, refId]);
  }

  /** Kept messages of a kind still showing `state` (pending prompts, for the expiry sweep). */
  async inState(kind: KeptMessage["kind"], state: string): Promise<KeptMessage[]> {
    const r = await this.pool.query("SELECT kind, ref_id, channel, ts, state FROM jamie_slack_messages WHERE kind = $1 AND state = $2", [kind, state]);
    return r.rows.map(toKept);
  }

  async threadConversation(channel: string, threadTs: string): Promise<string | undefined> {
    const r = await this.pool.query<{ conversation_id: string }>("SELECT conversation_id FROM jamie_slack_threads WHERE channel = $1 AND thread_ts = $2", [channel, threadTs]);
    return r.rows[0]?.conversation_id;
  }

  async linkThread(channel: string, threadTs: string, conversationId: string): Promise<void> {
    await this.pool.query("INSERT INTO jamie_slack_threads (channel, thread_ts, conversation_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", [channel, threadTs, conversationId]);
  }

  /** True the first time an event id is seen (by any replica); false for a retry of it. Ids older than a day are forgotten. */
  async claimEvent(eventId: string): Promise<boolean> {
    // Pruning rides along (an index range delete), so the table stays a day's worth of events.
    const r = await this.pool.query<{ event_id: string }>(
      `WITH pruned AS (DELETE FROM jamie_slack_events WHERE received_at < now() - interval '1 day')
       INSERT INTO jamie_slack_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id`,
      [eventId],
    );
    return r.rows.length === 1;
  }
}

/** Posts a claimed message and keeps its ts; on failure the claim is given back and the error rethrown. */
export async function postClaimed(
  client: { chat: { postMessage(args: { channel: string; text: string; blocks: unknown[]; unfurl_links: boolean }): Promise<{ ts?: string }> } },
  store: Pick<SlackStore, "keep" | "release">,
  kept: Omit<KeptMessage, "ts">,
  message: { channel: string; text: string; blocks: unknown[]; unfurl_links: boolean },
): Promise<string> {
  try {
    const p = await client.chat.postMessage(message);
    if (!p.ts) throw new Error(`Slack gave the ${kept.kind} message for ${kept.refId} no ts`);
    await store.keep({ ...kept, ts: p.ts });
    return p.ts;
  } catch (e) {
    await store.release(kept.kind, kept.refId).catch(() => undefined);
    throw e;
  }
}
