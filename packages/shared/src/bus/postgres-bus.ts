import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { Logger } from "pino";
import { createEnvelope, decodeEvent, parseJson, type DecodeFailure } from "./envelope.js";
import {
  DEFAULT_CHANNEL_PREFIX,
  EventBusError,
  TOPIC_NAMES,
  isTopicName,
  type BusHandler,
  type EventBus,
  type ReconnectSettings,
  type TopicName,
  type TopicPayload,
  type Unsubscribe,
} from "./event-bus.js";
import { CHANNEL_MAX_BYTES, SpillInsertRow, SpillRow, asSpillRef, planNotification } from "./postgres-wire.js";
import { Subscriptions } from "./subscriptions.js";

export interface PostgresEventBusOptions {
  databaseUrl: string;
  /** Written as `source` on every message and in the connections' application_name. */
  service: string;
  log: Logger;
  /** Prepended to each topic to form the channel name; tests use a unique one. */
  channelPrefix?: string;
  reconnect?: ReconnectSettings;
}

/** The application_name of the LISTEN connection, so operators (and tests) can find it. */
export function listenerApplicationName(service: string): string {
  return `${service}:event-bus-listener`;
}

const NOTIFY_SQL = "SELECT pg_notify($1, $2)";
const SPILL_SQL = `
  WITH expired AS (DELETE FROM event_bus_spill WHERE created_at < now() - interval '1 hour')
  INSERT INTO event_bus_spill (topic, payload) VALUES ($1, $2::jsonb) RETURNING id::text AS id`;
const FETCH_SPILL_SQL = "SELECT payload FROM event_bus_spill WHERE id = $1";

type State = "idle" | "connected" | "closed";

/**
 * The event bus over Postgres LISTEN/NOTIFY. Publishes on a small pool; one dedicated client
 * LISTENs. When that client's connection drops, it reconnects with backoff and LISTENs again;
 * messages notified during the gap are lost (the bus is a notification channel and the
 * database is the truth). Payloads too large for NOTIFY (8000 bytes) are written to
 * `event_bus_spill` and a reference is notified instead; rows older than an hour are deleted
 * whenever another is written.
 */
export class PostgresEventBus implements EventBus {
  readonly #databaseUrl: string;
  readonly #service: string;
  readonly #log: Logger;
  readonly #prefix: string;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #pool: pg.Pool;
  readonly #subs: Subscriptions;
  readonly #closing = new AbortController();
  /** Channels the listener must be LISTENing on, replayed after every reconnect. */
  readonly #channels = new Set<string>();
  #state: State = "idle";
  #connecting: Promise<void> | undefined;
  #listener: pg.Client | undefined;
  #reconnecting = false;
  // Notifications are decoded one after another, so a spilled message (which needs a query)
  // is not overtaken by the small message published after it.
  #inbound: Promise<void> = Promise.resolve();

  constructor({ databaseUrl, service, log, channelPrefix, reconnect }: PostgresEventBusOptions) {
    this.#databaseUrl = databaseUrl;
    this.#service = service;
    this.#log = log.child({ component: "event-bus", backend: "postgres" });
    this.#prefix = channelPrefix ?? DEFAULT_CHANNEL_PREFIX;
    this.#initialDelayMs = reconnect?.initialDelayMs ?? 200;
    this.#maxDelayMs = reconnect?.maxDelayMs ?? 10_000;
    for (const topic of TOPIC_NAMES) {
      if (Buffer.byteLength(this.#channel(topic)) > CHANNEL_MAX_BYTES) {
        throw new Error(`event bus channel "${this.#channel(topic)}" is longer than ${CHANNEL_MAX_BYTES} bytes`);
      }
    }
    this.#pool = new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: `${service}:event-bus` });
    // An idle pooled connection that dies emits here; without a listener it would crash the process.
    this.#pool.on("error", (err) => this.#log.warn({ err }, "event bus pool connection lost"));
    this.#subs = new Subscriptions(
      { attach: (topic) => this.#listen(topic), detach: (topic) => this.#unlisten(topic) },
      this.#log,
    );
  }

  connect(): Promise<void> {
    if (this.#state === "closed") return Promise.reject(this.#closedError());
    this.#connecting ??= this.#connect().catch((err: unknown) => {
      this.#connecting = undefined;
      throw err;
    });
    return this.#connecting;
  }

  async publish<T extends TopicName>(topic: T, payload: TopicPayload<T>): Promise<void> {
    this.#assertConnected(topic);
    const event = createEnvelope(topic, payload, { id: randomUUID(), at: new Date(), source: this.#service });
    const plan = planNotification(event);
    try {
      if (plan.kind === "inline") {
        await this.#pool.query(NOTIFY_SQL, [this.#channel(topic), plan.text]);
      } else {
        const { rows } = await this.#pool.query(SPILL_SQL, [topic, plan.payloadJson]);
        const { id } = SpillInsertRow.parse(rows[0]);
        await this.#pool.query(NOTIFY_SQL, [this.#channel(topic), JSON.stringify({ ...plan.ref, spillId: id })]);
        this.#log.debug({ topic, eventId: event.id, spillId: id }, "event payload spilled");
      }
    } catch (err) {
      throw new EventBusError("unavailable", `could not publish "${topic}": ${(err as Error).message}`, topic, {
        cause: err,
      });
    }
  }

  async subscribe<T extends TopicName>(topic: T, handler: BusHandler<T>): Promise<Unsubscribe> {
    this.#assertConnected(topic);
    return this.#subs.add(topic, handler);
  }

  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#closing.abort();
    this.#subs.clear();
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.end().catch((err: unknown) => this.#log.debug({ err }, "event bus listener end failed"));
    await this.#inbound;
    await this.#pool.end();
  }

  async #connect(): Promise<void> {
    try {
      await this.#ensureSpillTable();
      await this.#openListener();
    } catch (err) {
      const reason = (err as Error).message;
      const message = `event bus could not connect to Postgres: ${reason}`;
      throw new EventBusError("unavailable", message, undefined, { cause: err });
    }
    if (this.#state === "idle") this.#state = "connected";
  }

  async #ensureSpillTable(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query("BEGIN");
      // Scarlet and Jamie start together; two concurrent CREATE TABLE IF NOT EXISTS can still
      // collide on the catalog's unique index, so the first to arrive creates and the other waits.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('autodevops.event_bus_spill'))");
      await client.query(`
        CREATE TABLE IF NOT EXISTS event_bus_spill (
          id bigserial PRIMARY KEY,
          topic text NOT NULL,
          payload jsonb NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        )`);
      await client.query("CREATE INDEX IF NOT EXISTS event_bus_spill_created_at_idx ON event_bus_spill (created_at)");
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Connects a fresh LISTEN client and replays every wanted channel on it. */
  async #openListener(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#databaseUrl,
      application_name: listenerApplicationName(this.#service),
      // A peer that vanishes without a FIN is otherwise never noticed by an idle LISTEN socket.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client.on("error", (err) => this.#listenerLost(client, err));
    client.on("end", () => this.#listenerLost(client, undefined));
    client.on("notification", (n) => this.#onNotification(n));
    try {
      await client.connect();
    } catch (err) {
      void client.end().catch(() => undefined);
      throw err;
    }
    if (this.#state === "closed") {
      await client.end().catch(() => undefined);
      throw this.#closedError();
    }
    // Live before the replay is sent: a subscribe from now on queues its LISTEN behind it.
    this.#listener = client;
    const channels = [...this.#channels];
    if (channels.length > 0) {
      await client.query(channels.map((c) => `LISTEN ${client.escapeIdentifier(c)}`).join("; "));
    }
  }

  #listenerLost(client: pg.Client, err: Error | undefined): void {
    if (client !== this.#listener) return;
    this.#listener = undefined;
    client.removeAllListeners("notification");
    void client.end().catch(() => undefined);
    if (this.#state === "closed") return;
    this.#log.warn({ err }, "event bus listener connection lost; messages are missed until it reconnects");
    void this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    if (this.#reconnecting) return;
    this.#reconnecting = true;
    try {
      for (let attempt = 0; !this.#closing.signal.aborted; attempt++) {
        const delayMs = Math.min(this.#maxDelayMs, this.#initialDelayMs * 2 ** attempt);
        try {
          await sleep(delayMs, undefined, { signal: this.#closing.signal });
        } catch {
          return; // aborted by close()
        }
        try {
          await this.#openListener();
          this.#log.info({ attempt: attempt + 1, channels: this.#channels.size }, "event bus listener reconnected");
          return;
        } catch (err) {
          if (this.#closing.signal.aborted) return;
          this.#log.warn({ err, attempt: attempt + 1, delayMs }, "event bus listener reconnect failed");
        }
      }
    } finally {
      this.#reconnecting = false;
    }
  }

  async #listen(topic: TopicName): Promise<void> {
    const channel = this.#channel(topic);
    this.#channels.add(channel);
    const client = this.#listener;
    // Without a live listener the reconnect replays #channels, so there is nothing to do now.
    if (!client) return;
    await client
      .query(`LISTEN ${client.escapeIdentifier(channel)}`)
      .catch((err: unknown) => this.#log.warn({ err, topic }, "LISTEN failed; relying on reconnect"));
  }

  async #unlisten(topic: TopicName): Promise<void> {
    const channel = this.#channel(topic);
    this.#channels.delete(channel);
    const client = this.#listener;
    if (!client) return;
    await client
      .query(`UNLISTEN ${client.escapeIdentifier(channel)}`)
      .catch((err: unknown) => this.#log.warn({ err, topic }, "UNLISTEN failed"));
  }

  #onNotification(n: pg.Notification): void {
    const name = n.channel.startsWith(this.#prefix) ? n.channel.slice(this.#prefix.length) : undefined;
    if (name === undefined || !isTopicName(name)) return;
    const text = n.payload ?? "";
    this.#inbound = this.#inbound.then(() =>
      this.#receive(name, text).catch((err: unknown) =>
        this.#log.warn({ err, topic: name }, "event dropped: could not read it"),
      ),
    );
  }

  async #receive(topic: TopicName, text: string): Promise<void> {
    if (!this.#subs.hasHandlers(topic)) return;
    const json = parseJson(text);
    if (!json.ok) return this.#dropped(topic, json.error);
    let value = json.value;
    const ref = asSpillRef(value);
    if (ref) {
      const { rows } = await this.#pool.query(FETCH_SPILL_SQL, [ref.spillId]);
      if (rows.length === 0) {
        this.#log.warn({ topic, eventId: ref.id, spillId: ref.spillId }, "event dropped: spilled payload is gone");
        return;
      }
      const { spillId: _spillId, ...fields } = ref;
      value = { ...fields, payload: SpillRow.parse(rows[0]).payload };
    }
    const decoded = decodeEvent(topic, value);
    if (!decoded.ok) return this.#dropped(topic, decoded.error);
    this.#subs.dispatch(decoded.event);
  }

  #dropped(topic: TopicName, failure: DecodeFailure): void {
    this.#log.warn({ topic, reason: failure.reason, detail: failure.detail }, "malformed event dropped");
  }

  #channel(topic: TopicName): string {
    return `${this.#prefix}${topic}`;
  }

  #assertConnected(topic: TopicName): void {
    if (this.#state === "closed") throw this.#closedError(topic);
    if (this.#state !== "connected") {
      throw new EventBusError("not_connected", `event bus used before connect() (topic "${topic}")`, topic);
    }
  }

  #closedError(topic?: TopicName): EventBusError {
    return new EventBusError("closed", "event bus is closed", topic);
  }
}
