import pg from "pg";
import { createClient } from "redis";
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assertRedisReachable, createTestDatabase, testRedisUrl, type TestDatabase } from "../testing/databases.js";
import { createEventBus, type EventBusSettings } from "./create-event-bus.js";
import { EventBusError, type EventBus } from "./event-bus.js";
import { captureLog, recorder, spawnPeer, uniquePrefix, waitFor, type LogLine, type Peer } from "./test-support.js";

/**
 * The contract both backends keep, run once against the machine's Postgres and once against
 * its Redis. Each test uses its own channel prefix, so nothing leaks between tests or runs.
 */
interface Backend {
  name: "postgres" | "redis";
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** Connection settings for createEventBus (and for the peer process). */
  urls(): Pick<EventBusSettings, "databaseUrl" | "redisUrl">;
  /** Sends a raw string on a channel, bypassing the bus's own checks. */
  sendRaw(channel: string, text: string): Promise<void>;
}

function postgresBackend(): Backend {
  let db: TestDatabase | undefined;
  let pool: pg.Pool | undefined;
  const database = (): TestDatabase => {
    if (!db) throw new Error("test database not created");
    return db;
  };
  return {
    name: "postgres",
    async setUp() {
      db = await createTestDatabase("bus_contract");
      pool = new pg.Pool({ connectionString: db.url, max: 2 });
    },
    async tearDown() {
      await pool?.end();
      await db?.drop();
    },
    urls: () => ({ databaseUrl: database().url }),
    async sendRaw(channel, text) {
      await pool?.query("SELECT pg_notify($1, $2)", [channel, text]);
    },
  };
}

function redisBackend(): Backend {
  let raw: ReturnType<typeof createClient> | undefined;
  return {
    name: "redis",
    async setUp() {
      await assertRedisReachable();
      raw = createClient({ url: testRedisUrl() });
      raw.on("error", () => undefined);
      await raw.connect();
    },
    async tearDown() {
      await raw?.close();
    },
    // The database URL is ignored when a Redis URL is given; it must still be present.
    urls: () => ({ databaseUrl: "postgres://unused.invalid/unused", redisUrl: testRedisUrl() }),
    async sendRaw(channel, text) {
      await raw?.publish(channel, text);
    },
  };
}

const warnings = (lines: LogLine[], msg: string): LogLine[] =>
  lines.filter((l) => l.level === "warn" && l.msg === msg);

describe.each([postgresBackend(), redisBackend()])("event bus over $name", (backend) => {
  let buses: EventBus[] = [];
  let peers: Peer[] = [];
  let prefix = "";

  beforeAll(() => backend.setUp());
  beforeEach(() => {
    prefix = uniquePrefix();
  });
  afterAll(() => backend.tearDown());
  afterEach(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    await Promise.all(buses.map((b) => b.close()));
    buses = [];
    peers = [];
  });

  async function openBus(service = "scarlet", log = captureLog(service).log): Promise<EventBus> {
    const bus = createEventBus({ ...backend.urls(), service, log, channelPrefix: prefix });
    buses.push(bus);
    await bus.connect();
    return bus;
  }


  it("delivers a published event, in its envelope, to subscribers in this process and in another bus", async () => {
    const publisher = await openBus("scarlet");
    const other = await openBus("jamie");
    const own = recorder<"incident.updated">();
    const remote = recorder<"incident.updated">();
    await publisher.subscribe("incident.updated", own.handler);
    await other.subscribe("incident.updated", remote.handler);

    await publisher.publish("incident.updated", { incidentId: "inc-1", status: "open" });

    const [seenRemotely] = await waitFor("the other bus to receive it", () =>
      remote.events.length > 0 ? remote.events : undefined,
    );
    await waitFor("the publisher's own subscriber to receive it", () => own.events[0]);
    expect(seenRemotely).toMatchObject({
      topic: "incident.updated",
      source: "scarlet",
      payload: { incidentId: "inc-1", status: "open" },
    });
    expect(seenRemotely?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(seenRemotely?.at ?? ""))).toBe(false);
    expect(own.events[0]?.id).toBe(seenRemotely?.id);
  });

  it("delivers events from this process to a subscriber in another OS process", async () => {
    const peer = spawnPeer({ mode: "subscribe", ...backend.urls(), service: "jamie-peer", channelPrefix: prefix });
    peers.push(peer);
    await waitFor(`the peer to subscribe (stderr: ${peer.stderr()})`, () =>
      peer.lines.find((l) => l.kind === "ready"),
    15_000);
    const bus = await openBus("scarlet");

    await bus.publish("incident.updated", { incidentId: "inc-7", status: "resolved" });

    const line = await waitFor("the peer to print the event", () => peer.lines.find((l) => l.kind === "event"));
    expect(line.event).toMatchObject({ source: "scarlet", payload: { incidentId: "inc-7", status: "resolved" } });
  });

  it("delivers events published by another OS process to a subscriber here", async () => {
    const bus = await openBus("jamie");
    const seen = recorder<"incident.updated">();
    await bus.subscribe("incident.updated", seen.handler);

    const peer = spawnPeer({
      mode: "publish",
      ...backend.urls(),
      service: "scarlet-peer",
      channelPrefix: prefix,
      payloads: [
        { incidentId: "inc-8", status: "open" },
        { incidentId: "inc-8", status: "mitigated" },
      ],
    });
    peers.push(peer);

    await waitFor(`both events (peer stderr: ${peer.stderr()})`, () => seen.events[1], 15_000);
    expect(await peer.exited).toBe(0);
    expect(seen.events.map((e) => [e.source, e.payload.status])).toEqual([
      ["scarlet-peer", "open"],
      ["scarlet-peer", "mitigated"],
    ]);
  });

  it("stops delivering to a handler once it unsubscribes, and keeps delivering to the others", async () => {
    const bus = await openBus();
    const leaving = recorder<"approval.requested">();
    const staying = recorder<"approval.requested">();
    const unsubscribe = await bus.subscribe("approval.requested", leaving.handler);
    await bus.subscribe("approval.requested", staying.handler);

    await bus.publish("approval.requested", { approvalId: "a-1", incidentId: "inc-1" });
    await waitFor("the first event at the leaving handler", () => leaving.events[0]);
    await waitFor("the first event at the staying handler", () => staying.events[0]);
    await unsubscribe();
    await unsubscribe(); // a second call is harmless
    await bus.publish("approval.requested", { approvalId: "a-2", incidentId: "inc-1" });

    // The remaining handler is the clock: once it has the second event, the first would have too.
    await waitFor("the second event", () => staying.events[1]);
    expect(leaving.events.map((e) => e.payload.approvalId)).toEqual(["a-1"]);
  });

  it("stops delivery on a topic after its last handler leaves, and resumes on a new subscribe", async () => {
    const bus = await openBus();
    const first = recorder<"audit.appended">();
    const unsubscribe = await bus.subscribe("audit.appended", first.handler);
    await unsubscribe();
    await bus.publish("audit.appended", { seq: 1, type: "ignored" });

    const second = recorder<"audit.appended">();
    await bus.subscribe("audit.appended", second.handler);
    await bus.publish("audit.appended", { seq: 2, type: "seen" });

    await waitFor("the event after resubscribing", () => second.events[0]);
    expect(second.events.map((e) => e.payload.seq)).toEqual([2]);
    expect(first.events).toEqual([]);
  });

  it("rejects a payload that breaks its topic's schema, naming topic and field, and sends nothing", async () => {
    const bus = await openBus();
    const seen = recorder<"approval.decided">();
    await bus.subscribe("approval.decided", seen.handler);

    const bad = { approvalId: "a-1", decision: "maybe", by: "alice" } as unknown as {
      approvalId: string;
      decision: "approve";
      by: string;
    };
    const rejection = await bus.publish("approval.decided", bad).catch((err: unknown) => err);

    expect(rejection).toBeInstanceOf(EventBusError);
    expect(rejection).toMatchObject({ code: "invalid_payload", topic: "approval.decided" });
    expect((rejection as Error).message).toContain('"approval.decided"');
    expect((rejection as Error).message).toContain("decision");

    await bus.publish("approval.decided", { approvalId: "a-2", decision: "approve", by: "alice" });
    await waitFor("the valid event", () => seen.events[0]);
    expect(seen.events.map((e) => e.payload.approvalId)).toEqual(["a-2"]);
  });

  it("drops and logs malformed messages on the wire, and still delivers the valid one after them", async () => {
    const { log, lines } = captureLog("jamie");
    const bus = await openBus("jamie", log);
    const seen = recorder<"incident.updated">();
    await bus.subscribe("incident.updated", seen.handler);
    const channel = `${prefix}incident.updated`;
    const envelope = (payload: unknown, topic = "incident.updated") =>
      JSON.stringify({ id: randomUUID(), topic, at: new Date().toISOString(), source: "rogue", payload });

    await backend.sendRaw(channel, "this is not json");
    await backend.sendRaw(channel, JSON.stringify({ id: "not-a-uuid", topic: "incident.updated" }));
    await backend.sendRaw(channel, envelope({ incidentId: 42 }));
    await backend.sendRaw(channel, envelope({ approvalId: "a", incidentId: "b" }, "approval.requested"));
    await bus.publish("incident.updated", { incidentId: "inc-9", status: "open" });

    await waitFor("the valid event", () => seen.events[0]);
    expect(seen.events).toHaveLength(1);
    expect(seen.events[0]?.payload).toEqual({ incidentId: "inc-9", status: "open" });
    const dropped = warnings(lines, "malformed event dropped");
    expect(dropped.map((l) => l.reason)).toEqual([
      "malformed_json",
      "malformed_envelope",
      "invalid_payload",
      "topic_mismatch",
    ]);
    expect(dropped.every((l) => l.topic === "incident.updated")).toBe(true);
  });

  it("keeps delivering to other handlers, and to later events, when a handler throws or rejects", async () => {
    const { log, lines } = captureLog("scarlet");
    const bus = await openBus("scarlet", log);
    const healthy = recorder<"incident.updated">();
    await bus.subscribe("incident.updated", () => {
      throw new Error("handler bug");
    });
    await bus.subscribe("incident.updated", async () => {
      throw new Error("async handler bug");
    });
    await bus.subscribe("incident.updated", healthy.handler);

    await bus.publish("incident.updated", { incidentId: "inc-1", status: "open" });
    await bus.publish("incident.updated", { incidentId: "inc-1", status: "closed" });

    await waitFor("both events at the healthy handler", () => healthy.events[1]);
    const failures = await waitFor("four handler failures logged", () => {
      const found = lines.filter((l) => l.level === "error" && l.msg === "event handler failed");
      return found.length === 4 ? found : undefined;
    });
    expect(failures.every((l) => l.topic === "incident.updated")).toBe(true);
    expect(healthy.events.map((e) => e.payload.status)).toEqual(["open", "closed"]);
  });

  it("delivers a 50 KB payload intact", async () => {
    const bus = await openBus();
    const seen = recorder<"incident.updated">();
    await bus.subscribe("incident.updated", seen.handler);
    // Multi-byte characters, so a size check counting characters instead of bytes would fail.
    const status = "détail—🚨".repeat(5_000);
    expect(Buffer.byteLength(status)).toBeGreaterThan(50_000);

    await bus.publish("incident.updated", { incidentId: "inc-big", status });

    const event = await waitFor("the large event", () => seen.events[0]);
    expect(event.payload).toEqual({ incidentId: "inc-big", status });
  });

  it("refuses to publish or subscribe before connect and after close", async () => {
    const bus = createEventBus({ ...backend.urls(), service: "scarlet", log: captureLog().log, channelPrefix: prefix });
    buses.push(bus);
    await expect(bus.publish("audit.appended", { seq: 1, type: "x" })).rejects.toMatchObject({ code: "not_connected" });
    await expect(bus.subscribe("audit.appended", () => undefined)).rejects.toMatchObject({ code: "not_connected" });
    await bus.connect();
    await bus.close();
    await expect(bus.publish("audit.appended", { seq: 1, type: "x" })).rejects.toMatchObject({ code: "closed" });
    await expect(bus.connect()).rejects.toMatchObject({ code: "closed" });
  });

  it("fails to connect with an unavailable error when the server does not answer", async () => {
    const unreachable =
      backend.name === "redis"
        ? { databaseUrl: "postgres://unused.invalid/unused", redisUrl: "redis://127.0.0.1:1" }
        : { databaseUrl: "postgres://postgres@127.0.0.1:1/postgres" };
    const bus = createEventBus({ ...unreachable, service: "scarlet", log: captureLog().log });
    buses.push(bus);

    const failure = await bus.connect().catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(EventBusError);
    expect(failure).toMatchObject({ code: "unavailable" });
    expect((failure as Error).message).toMatch(backend.name === "redis" ? /Redis/ : /Postgres/);
  });
});
