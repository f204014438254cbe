import type { Logger } from "pino";
import type { EventBus, ReconnectSettings } from "./event-bus.js";
import { PostgresEventBus } from "./postgres-bus.js";
import { RedisEventBus } from "./redis-bus.js";

export interface EventBusSettings {
  databaseUrl: string;
  /** When set, the bus runs over Redis pub/sub instead of Postgres LISTEN/NOTIFY. */
  redisUrl?: string;
  /** This process's name, sent as `source` on every message. */
  service: string;
  log: Logger;
  /** Prepended to each topic to name its channel; defaults to `autodevops:`. */
  channelPrefix?: string;
  reconnect?: ReconnectSettings;
}

/** Builds the bus, not yet connected: Redis when `redisUrl` is given, else Postgres. Call connect() next. */
export function createEventBus({ databaseUrl, redisUrl, ...common }: EventBusSettings): EventBus {
  return redisUrl ? new RedisEventBus({ redisUrl, ...common }) : new PostgresEventBus({ databaseUrl, ...common });
}
