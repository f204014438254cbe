import { z } from "zod";
import { BusTopics, Envelope, EventBusError, type BusEvent, type TopicName, type TopicPayload } from "./event-bus.js";

/** Why a message from the wire was dropped. */
export type DecodeFailure =
  | { reason: "malformed_json"; detail: string }
  | { reason: "malformed_envelope"; detail: string }
  | { reason: "topic_mismatch"; detail: string }
  | { reason: "invalid_payload"; detail: string };

export type Decoded<T extends TopicName> = { ok: true; event: BusEvent<T> } | { ok: false; error: DecodeFailure };

export interface EnvelopeFields {
  id: string;
  at: Date;
  source: string;
}

/**
 * Checks a payload against its topic's schema and wraps it for sending. Throws EventBusError
 * (`invalid_payload`) naming the topic and the zod issues: a wrong payload is a publisher bug.
 */
export function createEnvelope<T extends TopicName>(
  topic: T,
  payload: TopicPayload<T>,
  { id, at, source }: EnvelopeFields,
): BusEvent<T> {
  const parsed = BusTopics[topic].safeParse(payload);
  if (!parsed.success) {
    throw new EventBusError(
      "invalid_payload",
      `invalid payload for topic "${topic}": ${z.prettifyError(parsed.error)}`,
      topic,
      { cause: parsed.error },
    );
  }
  // The schema's output, not the caller's object: unknown keys are stripped before sending.
  return { id, topic, at: at.toISOString(), source, payload: parsed.data as TopicPayload<T> };
}

/** Parses a wire string as JSON without throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: DecodeFailure } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: { reason: "malformed_json", detail: (err as Error).message } };
  }
}

/** Validates a received value as an envelope for `topic`, then its payload against the topic schema. */
export function decodeEvent<T extends TopicName>(topic: T, value: unknown): Decoded<T> {
  const envelope = Envelope.safeParse(value);
  if (!envelope.success) {
    return { ok: false, error: { reason: "malformed_envelope", detail: z.prettifyError(envelope.error) } };
  }
  if (envelope.data.topic !== topic) {
    return {
      ok: false,
      error: { reason: "topic_mismatch", detail: `envelope names "${envelope.data.topic}" but arrived on "${topic}"` },
    };
  }
  const payload = BusTopics[topic].safeParse(envelope.data.payload);
  if (!payload.success) {
    return { ok: false, error: { reason: "invalid_payload", detail: z.prettifyError(payload.error) } };
  }
  return {
    ok: true,
    event: { ...envelope.data, topic, payload: payload.data as TopicPayload<T> },
  };
}
