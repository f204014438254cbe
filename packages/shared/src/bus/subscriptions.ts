import type { Logger } from "pino";
import type { BusEvent, BusHandler, TopicName, Unsubscribe } from "./event-bus.js";

/** What a backend does when a topic gains its first handler or loses its last. */
export interface TopicChannels {
  attach(topic: TopicName): Promise<void>;
  detach(topic: TopicName): Promise<void>;
}

interface Entry {
  active: boolean;
  handler: BusHandler<TopicName>;
}

/**
 * The handlers of one bus, shared by both backends: keeps the server-side subscription of each
 * topic in step with whether it has handlers, and calls handlers so one failure stays local.
 */
export class Subscriptions {
  readonly #handlers = new Map<TopicName, Set<Entry>>();
  readonly #attached = new Set<TopicName>();
  // Per-topic queue of attach/detach work, so a subscribe racing an unsubscribe of the same
  // topic cannot leave the server listening with no handlers, or deaf with some.
  readonly #queues = new Map<TopicName, Promise<void>>();
  readonly #channels: TopicChannels;
  readonly #log: Logger;

  constructor(channels: TopicChannels, log: Logger) {
    this.#channels = channels;
    this.#log = log;
  }

  /** Adds a handler and resolves once the backend is subscribed to its topic. */
  async add<T extends TopicName>(topic: T, handler: BusHandler<T>): Promise<Unsubscribe> {
    // Safe widening: dispatch only passes this handler events decoded for `topic`.
    const entry: Entry = { active: true, handler: handler as BusHandler<TopicName> };
    let set = this.#handlers.get(topic);
    if (!set) {
      set = new Set();
      this.#handlers.set(topic, set);
    }
    set.add(entry);
    try {
      await this.#reconcile(topic);
    } catch (err) {
      set.delete(entry);
      entry.active = false;
      await this.#reconcile(topic).catch(() => undefined);
      throw err;
    }
    return async () => {
      if (!entry.active) return;
      entry.active = false;
      set.delete(entry);
      await this.#reconcile(topic);
    };
  }

  /** Topics that currently have at least one handler. */
  topics(): TopicName[] {
    return [...this.#handlers].filter(([, set]) => set.size > 0).map(([topic]) => topic);
  }

  hasHandlers(topic: TopicName): boolean {
    return (this.#handlers.get(topic)?.size ?? 0) > 0;
  }

  /** Calls every current handler of the event's topic; throws and rejections are logged. */
  dispatch<T extends TopicName>(event: BusEvent<T>): void {
    const set = this.#handlers.get(event.topic);
    if (!set) return;
    for (const entry of [...set]) {
      if (!entry.active) continue;
      try {
        void Promise.resolve(entry.handler(event)).catch((err: unknown) => this.#handlerFailed(event, err));
      } catch (err) {
        this.#handlerFailed(event, err);
      }
    }
  }

  /** Drops every handler without touching the server; the backend is about to disconnect. */
  clear(): void {
    for (const set of this.#handlers.values()) {
      for (const entry of set) entry.active = false;
      set.clear();
    }
    this.#attached.clear();
  }

  #handlerFailed(event: BusEvent<TopicName>, err: unknown): void {
    this.#log.error({ err, topic: event.topic, eventId: event.id }, "event handler failed");
  }

  #reconcile(topic: TopicName): Promise<void> {
    const previous = this.#queues.get(topic) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const wanted = this.hasHandlers(topic);
        if (wanted && !this.#attached.has(topic)) {
          await this.#channels.attach(topic);
          this.#attached.add(topic);
        } else if (!wanted && this.#attached.has(topic)) {
          this.#attached.delete(topic);
          await this.#channels.detach(topic);
        }
      });
    this.#queues.set(topic, next);
    return next;
  }
}
