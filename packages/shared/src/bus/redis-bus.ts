import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { createClient, type RedisClientType } from "redis";
import { createEnvelope, decodeEvent, parseJson } from "./envelope.js";
import {
  DEFAULT_CHANNEL_PREFIX,
  EventBusError,
  isTopicName,
  type BusHandler,
  type EventBus,
  type ReconnectSettings,
  type TopicName,
  type TopicPayload,
  type Unsubscribe,
} from "./event-bus.js";
import { Subscriptions } from "./subscriptions.js";

export interface RedisEventBusOptions {
  redisUrl: string;
  /** Written as `source` on every message and as the connections' client name. */
  service: string;
  log: Logger;
  /** Prepended to each topic to form the channel name; tests use a unique one. */
  channelPrefix?: string;
  reconnect?: ReconnectSettings;
}

type RedisClient = RedisClientType;
type State = "idle" | "connected" | "closed";

/**
 * The event bus over Redis pub/sub, one channel per topic. Publishing uses one connection and
 * subscribing a duplicate, since a subscribed Redis connection can run no other command. The
 * client reconnects and resubscribes by itself; messages published during the gap are lost
 * (the bus is a notification channel and the database is the truth).
 */
export class RedisEventBus implements EventBus {
  readonly #redisUrl: string;
  readonly #service: string;
  readonly #log: Logger;
  readonly #prefix: string;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #subs: Subscriptions;
  #state: State = "idle";
  #connecting: Promise<void> | undefined;
  #publisher: RedisClient | undefined;
  #subscriber: RedisClient | undefined;

  constructor({ redisUrl, service, log, channelPrefix, reconnect }: RedisEventBusOptions) {
    this.#redisUrl = redisUrl;
    this.#service = service;
    this.#log = log.child({ component: "event-bus", backend: "redis" });
    this.#prefix = channelPrefix ?? DEFAULT_CHANNEL_PREFIX;
    this.#initialDelayMs = reconnect?.initialDelayMs ?? 200;
    this.#maxDelayMs = reconnect?.maxDelayMs ?? 10_000;
    this.#subs = new Subscriptions(
      { attach: (topic) => this.#attach(topic), detach: (topic) => this.#detach(topic) },
      this.#log,
    );
  }

  connect(): Promise<void> {
    if (this.#state === "closed") return Promise.reject(new EventBusError("closed", "event bus is closed"));
    this.#connecting ??= this.#connect().catch((err: unknown) => {
      this.#connecting = undefined;
      throw err;
    });
    return this.#connecting;
  }

  async publish<T extends TopicName>(topic: T, payload: TopicPayload<T>): Promise<void> {
    const publisher = this.#connected(topic).publisher;
    const event = createEnvelope(topic, payload, { id: randomUUID(), at: new Date(), source: this.#service });
    try {
      await publisher.publish(this.#channel(topic), JSON.stringify(event));
    } catch (err) {
      throw new EventBusError("unavailable", `could not publish "${topic}": ${(err as Error).message}`, topic, {
        cause: err,
      });
    }
  }

  async subscribe<T extends TopicName>(topic: T, handler: BusHandler<T>): Promise<Unsubscribe> {
    this.#connected(topic);
    return this.#subs.add(topic, handler);
  }

  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#subs.clear();
    const clients = [this.#subscriber, this.#publisher];
    this.#subscriber = undefined;
    this.#publisher = undefined;
    await Promise.all(clients.map((c) => (c ? this.#shut(c) : undefined)));
  }

  async #connect(): Promise<void> {
    const publisher = createClient({
      url: this.#redisUrl,
      name: `${this.#service}-event-bus`,
      socket: { connectTimeout: 5_000, reconnectStrategy: this.#reconnectStrategy() },
      // A publish while Redis is down fails at once instead of waiting, unbounded, for a reconnect.
      disableOfflineQueue: true,
    });
    const subscriber = publisher.duplicate({
      name: `${this.#service}-event-bus-subscriber`,
      socket: { connectTimeout: 5_000, reconnectStrategy: this.#reconnectStrategy() },
      // SUBSCRIBE sent during a reconnect waits for it; the client then resubscribes everything.
      disableOfflineQueue: false,
    });
    this.#watch(publisher, "publisher");
    this.#watch(subscriber, "subscriber");
    try {
      await Promise.all([publisher.connect(), subscriber.connect()]);
    } catch (err) {
      await Promise.all([this.#shut(publisher), this.#shut(subscriber)]);
      const reason = (err as Error).message;
      const message = `event bus could not connect to Redis: ${reason}`;
      throw new EventBusError("unavailable", message, undefined, { cause: err });
    }
    if (this.#state === "closed") {
      await Promise.all([this.#shut(publisher), this.#shut(subscriber)]);
      throw new EventBusError("closed", "event bus is closed");
    }
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#state = "connected";
  }

  /** Gives up on the first connection (so connect() rejects), then retries with doubling waits. */
  #reconnectStrategy(): (retries: number, cause: Error) => number | Error {
    return (retries, cause) =>
      this.#state === "connected" ? Math.min(this.#maxDelayMs, this.#initialDelayMs * 2 ** retries) : cause;
  }

  #watch(client: RedisClient, role: string): void {
    // The client emits "error" on every failed attempt; an unhandled one would crash the process.
    client.on("error", (err: unknown) => {
      if (this.#state === "connected") this.#log.warn({ err, role }, "event bus redis connection error");
    });
    client.on("reconnecting", () => {
      if (this.#state === "connected") {
        this.#log.warn({ role }, "event bus redis reconnecting; messages are missed until it is back");
      }
    });
    client.on("ready", () => {
      if (this.#state === "connected") this.#log.info({ role }, "event bus redis reconnected");
    });
  }

  async #shut(client: RedisClient): Promise<void> {
    if (!client.isOpen) return;
    if (!client.isReady) return client.destroy();
    await client.close().catch((err: unknown) => this.#log.debug({ err }, "event bus redis close failed"));
  }

  #listener = (message: string, channel: string): void => {
    const name = channel.startsWith(this.#prefix) ? channel.slice(this.#prefix.length) : undefined;
    if (name === undefined || !isTopicName(name)) return;
    const json = parseJson(message);
    const decoded = json.ok ? decodeEvent(name, json.value) : json;
    if (!decoded.ok) {
      this.#log.warn(
        { topic: name, reason: decoded.error.reason, detail: decoded.error.detail },
        "malformed event dropped",
      );
      return;
    }
    this.#subs.dispatch(decoded.event);
  };

  async #attach(topic: TopicName): Promise<void> {
    const subscriber = this.#connected(topic).subscriber;
    await subscriber.subscribe(this.#channel(topic), this.#listener);
  }

  async #detach(topic: TopicName): Promise<void> {
    const subscriber = this.#subscriber;
    if (!subscriber) return;
    await subscriber.unsubscribe(this.#channel(topic), this.#listener);
  }

  #channel(topic: TopicName): string {
    return `${this.#prefix}${topic}`;
  }

  #connected(topic: TopicName): { publisher: RedisClient; subscriber: RedisClient } {
    if (this.#state === "closed") throw new EventBusError("closed", "event bus is closed", topic);
    if (!this.#publisher || !this.#subscriber) {
      throw new EventBusError("not_connected", `event bus used before connect() (topic "${topic}")`, topic);
    }
    return { publisher: this.#publisher, subscriber: this.#subscriber };
  }
}
