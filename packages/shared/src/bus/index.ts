export { createEventBus, type EventBusSettings } from "./create-event-bus.js";
export {
  BusTopics,
  DEFAULT_CHANNEL_PREFIX,
  Envelope,
  EventBusError,
  TOPIC_NAMES,
  isTopicName,
  type BusEvent,
  type BusHandler,
  type EventBus,
  type EventBusErrorCode,
  type ReconnectSettings,
  type TopicName,
  type TopicPayload,
  type Unsubscribe,
} from "./event-bus.js";
export { PostgresEventBus, listenerApplicationName, type PostgresEventBusOptions } from "./postgres-bus.js";
export { RedisEventBus, type RedisEventBusOptions } from "./redis-bus.js";
