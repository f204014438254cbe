import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/databases.js";
import { PostgresEventBus, listenerApplicationName } from "./postgres-bus.js";
import { NOTIFY_MAX_BYTES } from "./postgres-wire.js";
import { captureLog, recorder, uniquePrefix, waitFor } from "./test-support.js";

/** What only the Postgres backend does: reconnecting its listener and spilling large payloads. */
describe("postgres event bus", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let buses: PostgresEventBus[] = [];

  beforeAll(async () => {
    db = await createTestDatabase("bus_pg");
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    // The forced DROP of the test database cuts idle connections: not an uncaught error.
    pool.on("error", () => undefined);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });
  afterEach(async () => {
    await Promise.all(buses.map((b) => b.close()));
    buses = [];
  });

  async function openBus(service: string, log = captureLog(service).log): Promise<PostgresEventBus> {
    const bus = new PostgresEventBus({
      databaseUrl: db.url,
      service,
      log,
      channelPrefix: uniquePrefix(),
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    buses.push(bus);
    await bus.connect();
    return bus;
  }

  const spilledRows = async (): Promise<number> =>
    Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM event_bus_spill")).rows[0]?.n);

  it("reconnects its listener after the backend is killed, and delivers what is published afterwards", async () => {
    const service = `scarlet-${uniquePrefix().slice(1, 9)}`;
    const { log, lines } = captureLog(service);
    const bus = await openBus(service, log);
    const seen = recorder<"incident.updated">();
    await bus.subscribe("incident.updated", seen.handler);
    await bus.publish("incident.updated", { incidentId: "inc-1", status: "before" });
    await waitFor("the event before the kill", () => seen.events[0]);

    const killed = await pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = $2",
      [listenerApplicationName(service), db.name],
    );
    expect(killed.rowCount).toBe(1);

    await waitFor("the lost-connection warning", () =>
      lines.find((l) => l.level === "warn" && String(l.msg).startsWith("event bus listener connection lost")),
    );
    await waitFor("the listener to reconnect", () => lines.find((l) => l.msg === "event bus listener reconnected"));
    await bus.publish("incident.updated", { incidentId: "inc-1", status: "after" });

    await waitFor("the event after reconnecting", () => seen.events[1]);
    expect(seen.events.map((e) => e.payload.status)).toEqual(["before", "after"]);
  });

  it("spills a payload too large for NOTIFY into event_bus_spill, and notifies small ones inline", async () => {
    const bus = await openBus("scarlet");
    const seen = recorder<"audit.appended">();
    await bus.subscribe("audit.appended", seen.handler);
    const before = await spilledRows();

    await bus.publish("audit.appended", { seq: 1, type: "small" });
    await bus.publish("audit.appended", { seq: 2, type: "x".repeat(NOTIFY_MAX_BYTES) });

    await waitFor("both events", () => seen.events[1]);
    expect(await spilledRows()).toBe(before + 1);
  });

  it("keeps publication order when a spilled event is followed by small ones", async () => {
    const bus = await openBus("scarlet");
    const seen = recorder<"audit.appended">();
    await bus.subscribe("audit.appended", seen.handler);

    await bus.publish("audit.appended", { seq: 1, type: "y".repeat(20_000) });
    await bus.publish("audit.appended", { seq: 2, type: "small" });
    await bus.publish("audit.appended", { seq: 3, type: "small" });

    await waitFor("all three events", () => seen.events[2]);
    expect(seen.events.map((e) => e.payload.seq)).toEqual([1, 2, 3]);
  });

  it("deletes spilled rows older than an hour when it spills another", async () => {
    const bus = await openBus("scarlet");
    await pool.query(
      `INSERT INTO event_bus_spill (topic, payload, created_at)
       VALUES ('audit.appended', '{}', now() - interval '2 hours'),
              ('audit.appended', '{}', now() - interval '5 minutes')`,
    );
    const count = async (age: "older" | "newer"): Promise<number | null> => {
      const op = age === "older" ? "<" : ">";
      return (await pool.query(`SELECT id FROM event_bus_spill WHERE created_at ${op} now() - interval '1 hour'`))
        .rowCount;
    };
    const recentBefore = await count("newer");

    await bus.publish("audit.appended", { seq: 1, type: "z".repeat(10_000) });

    expect(await count("older")).toBe(0);
    expect(await count("newer")).toBe((recentBefore ?? 0) + 1);
  });

  it("drops, with a warning, a reference to a spilled payload that no longer exists", async () => {
    const { log, lines } = captureLog("jamie");
    const prefix = uniquePrefix();
    const bus = new PostgresEventBus({ databaseUrl: db.url, service: "jamie", log, channelPrefix: prefix });
    buses.push(bus);
    await bus.connect();
    const seen = recorder<"audit.appended">();
    await bus.subscribe("audit.appended", seen.handler);
    const at = new Date().toISOString();
    const ref = { id: randomUUID(), topic: "audit.appended", at, source: "x", spillId: "999999999" };

    await pool.query("SELECT pg_notify($1, $2)", [`${prefix}audit.appended`, JSON.stringify(ref)]);
    await bus.publish("audit.appended", { seq: 5, type: "after" });

    await waitFor("the valid event", () => seen.events[0]);
    expect(seen.events.map((e) => e.payload.seq)).toEqual([5]);
    expect(lines.find((l) => l.msg === "event dropped: spilled payload is gone")).toMatchObject({
      level: "warn",
      topic: "audit.appended",
      spillId: "999999999",
    });
  });

  it("lets several processes create the spill table at once on a fresh database", async () => {
    const fresh = await createTestDatabase("bus_pg_fresh");
    const racers = Array.from(
      { length: 4 },
      (_, i) => new PostgresEventBus({ databaseUrl: fresh.url, service: `racer-${i}`, log: captureLog().log }),
    );
    try {
      await Promise.all(racers.map((b) => b.connect()));
    } finally {
      await Promise.all(racers.map((b) => b.close()));
      await fresh.drop();
    }
  });

  it("matches the server's NOTIFY limit: the largest inline size passes, one byte more fails", async () => {
    await pool.query("SELECT pg_notify('limit_probe', repeat('a', $1::int))", [NOTIFY_MAX_BYTES]);
    await expect(
      pool.query("SELECT pg_notify('limit_probe', repeat('a', $1::int))", [NOTIFY_MAX_BYTES + 1]),
    ).rejects.toThrow(/payload string too long/);
  });

  it("refuses a channel prefix that would make a channel name longer than Postgres allows", () => {
    const settings = { databaseUrl: db.url, service: "x", log: captureLog().log, channelPrefix: "p".repeat(60) };
    expect(() => new PostgresEventBus(settings)).toThrow(/longer than 63 bytes/);
  });
});
