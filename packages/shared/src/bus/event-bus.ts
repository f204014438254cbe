import { z } from "zod";

/**
 * The topics Scarlet and Jamie exchange, each with the schema of its payload. Adding a topic
 * here is the whole change: publish, subscribe and receipt checks all derive from this map.
 */
export const BusTopics = {
  "incident.updated": z.object({ incidentId: z.string().min(1), status: z.string().min(1) }),
  /** A closed incident's summary in words, for Jamie's memory and the Slack thread. */
  "incident.closed": z.object({
    incidentId: z.string().min(1),
    status: z.string().min(1),
    summary: z.string().min(1).max(8000),
  }),
  "approval.requested": z.object({ approvalId: z.string().min(1), incidentId: z.string().min(1) }),
  "approval.decided": z.object({
    approvalId: z.string().min(1),
    decision: z.enum(["approve", "reject"]),
    by: z.string().min(1),
  }),
  "audit.appended": z.object({ seq: z.number().int().nonnegative(), type: z.string().min(1) }),
} as const satisfies Record<string, z.ZodType>;

export type TopicName = keyof typeof BusTopics;
export type TopicPayload<T extends TopicName> = z.infer<(typeof BusTopics)[T]>;

/** Every topic name, for code that must list them (LISTEN on reconnect, validation). */
export const TOPIC_NAMES = Object.keys(BusTopics) as TopicName[];

export function isTopicName(value: string): value is TopicName {
  return Object.hasOwn(BusTopics, value);
}

/**
 * The wrapper every message travels in. The payload is checked separately against its topic's
 * schema, so one malformed field is reported with the topic it belongs to.
 */
export const Envelope = z.object({
  id: z.uuid(),
  topic: z.string().min(1),
  at: z.iso.datetime({ offset: true }),
  source: z.string().min(1),
  payload: z.unknown(),
});
export type Envelope = z.infer<typeof Envelope>;

/** A received message whose envelope and payload have both been validated. */
export type BusEvent<T extends TopicName> = Omit<Envelope, "topic" | "payload"> & {
  topic: T;
  payload: TopicPayload<T>;
};

/** A subscriber callback; a throw or rejection is logged and never reaches other handlers. */
export type BusHandler<T extends TopicName> = (event: BusEvent<T>) => void | Promise<void>;

/** Prepended to every topic to name its channel, on both backends. */
export const DEFAULT_CHANNEL_PREFIX = "autodevops:";

/** How a backend retries after losing its connection. */
export interface ReconnectSettings {
  /** Wait before the first attempt after the connection drops. */
  initialDelayMs?: number;
  /** Ceiling for the doubling wait between later attempts. */
  maxDelayMs?: number;
}

/** Stops one subscription; calling it again does nothing. */
export type Unsubscribe = () => Promise<void>;

export type EventBusErrorCode =
  /** The payload does not match its topic's schema: a bug in the publisher. */
  | "invalid_payload"
  /** publish or subscribe was called before connect() resolved. */
  | "not_connected"
  /** The bus was closed. */
  | "closed"
  /** The server could not be reached, or refused the message. */
  | "unavailable";

/** The only error the bus rejects with; `code` says which kind of failure it was. */
export class EventBusError extends Error {
  override readonly name = "EventBusError";
  constructor(
    readonly code: EventBusErrorCode,
    message: string,
    readonly topic?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Publish/subscribe between processes. A notification channel, not a queue: a message sent
 * while a subscriber is disconnected is lost, so consumers treat a message as a hint to re-read
 * the database (the source of truth), never as the only copy of a fact. A process receives its
 * own messages too.
 */
export interface EventBus {
  /** Opens connections and prepares server-side state; call once before anything else. */
  connect(): Promise<void>;
  /** Validates the payload against the topic schema and sends it; rejects with EventBusError. */
  publish<T extends TopicName>(topic: T, payload: TopicPayload<T>): Promise<void>;
  /** Resolves once the subscription is live on the server (or queued for the next reconnect). */
  subscribe<T extends TopicName>(topic: T, handler: BusHandler<T>): Promise<Unsubscribe>;
  /** Stops delivery and closes every connection the bus opened. */
  close(): Promise<void>;
}
