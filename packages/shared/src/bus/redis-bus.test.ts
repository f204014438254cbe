import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertRedisReachable, testRedisUrl } from "../testing/databases.js";
import { RedisEventBus } from "./redis-bus.js";
import { captureLog, recorder, uniquePrefix, waitFor } from "./test-support.js";

/** What only the Redis backend needs checking: surviving a dropped subscriber connection. */
describe("redis event bus", () => {
  let admin: ReturnType<typeof createClient>;
  let buses: RedisEventBus[] = [];

  beforeAll(async () => {
    await assertRedisReachable();
    admin = createClient({ url: testRedisUrl() });
    admin.on("error", () => undefined);
    await admin.connect();
  });
  afterAll(async () => {
    await admin.close();
  });
  afterEach(async () => {
    await Promise.all(buses.map((b) => b.close()));
    buses = [];
  });

  it("resubscribes after its subscriber connection is killed, and delivers what is published afterwards", async () => {
    const service = `jamie-${uniquePrefix().slice(1, 9)}`;
    const { log, lines } = captureLog(service);
    const bus = new RedisEventBus({
      redisUrl: testRedisUrl(),
      service,
      log,
      channelPrefix: uniquePrefix(),
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    buses.push(bus);
    await bus.connect();
    const seen = recorder<"incident.updated">();
    await bus.subscribe("incident.updated", seen.handler);

    const list = await admin.clientList();
    const target = list.find((c) => c.name === `${service}-event-bus-subscriber`);
    expect(target, "the subscriber connection in CLIENT LIST").toBeDefined();
    await admin.clientKill({ filter: "ID", id: Number(target?.id) });

    await waitFor("the reconnecting warning", () =>
      lines.find((l) => l.level === "warn" && l.role === "subscriber" && String(l.msg).includes("reconnecting")),
    );
    // node-redis resubscribes before it reports ready, so one publish after this is enough.
    await waitFor("the reconnect", () =>
      lines.find((l) => l.msg === "event bus redis reconnected" && l.role === "subscriber"),
    );
    await bus.publish("incident.updated", { incidentId: "inc-1", status: "after" });

    await waitFor("the event after reconnecting", () => seen.events[0]);
    expect(seen.events[0]?.payload.status).toBe("after");
  });
});
