import { z } from "zod";
import { Envelope, type BusEvent, type TopicName } from "./event-bus.js";

/**
 * Postgres rejects a NOTIFY payload of 8000 bytes or more ("payload string too long"), counted
 * in the server encoding; we count UTF-8 bytes, which is what a UTF8 database stores.
 */
export const NOTIFY_MAX_BYTES = 7999;

/** Channel names are identifiers: longer than 63 bytes, LISTEN truncates them and pg_notify fails. */
export const CHANNEL_MAX_BYTES = 63;

/** What goes on the wire in place of an envelope whose payload was too large for NOTIFY. */
export const SpillRef = Envelope.omit({ payload: true }).extend({ spillId: z.string().regex(/^\d+$/) });
export type SpillRef = z.infer<typeof SpillRef>;

export type NotificationPlan =
  | { kind: "inline"; text: string }
  | { kind: "spill"; ref: Omit<SpillRef, "spillId">; payloadJson: string };

/** Sends the envelope inline when it fits in a NOTIFY payload, else says to spill its payload to the table. */
export function planNotification(event: BusEvent<TopicName>): NotificationPlan {
  const text = JSON.stringify(event);
  if (Buffer.byteLength(text, "utf8") <= NOTIFY_MAX_BYTES) return { kind: "inline", text };
  const { payload, ...ref } = event;
  return { kind: "spill", ref, payloadJson: JSON.stringify(payload) };
}

/** The spill reference in a received notification, or undefined when it carries the envelope itself. */
export function asSpillRef(value: unknown): SpillRef | undefined {
  const parsed = SpillRef.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export const SpillRow = z.object({ payload: z.unknown() });
export const SpillInsertRow = z.object({ id: z.string().regex(/^\d+$/) });
