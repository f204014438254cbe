import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEventBus, createLogger, loadConfig, runMigrations, type EventBus } from "@autodevops/shared";
import { createTestDatabase, eventually, type TestDatabase } from "@autodevops/shared/testing";
import { incidentMemoryId, rememberIncidentSummaries } from "./incident-memory.js";
import { openMemory } from "./open-memory.js";
import { startMongoStandIn } from "./testing/mongo-stand-in.js";
import type { VectorMemory } from "./types.js";

const log = createLogger({ service: "memory-test", level: "silent" });

describe("incident summaries from the event bus", () => {
  let db: TestDatabase;
  let bus: EventBus;
  let memory: VectorMemory;

  beforeAll(async () => {
    db = await createTestDatabase("jamie_incident_memory");
    await runMigrations({ databaseUrl: db.url, log }); // the bus's spill table
    bus = createEventBus({ databaseUrl: db.url, service: "jamie-test", log, channelPrefix: `t${randomBytes(4).toString("hex")}:` });
    await bus.connect();
    memory = await openMemory({ config: loadConfig({ DATABASE_URL: db.url }), log });
  });
  afterAll(async () => {
    await bus?.close();
    await memory?.close();
    await db?.drop();
  });

  it("remembers a closed incident's summary for everyone, once per incident, until unsubscribed", async () => {
    expect(memory.backend).toBe("embedded");
    const unsubscribe = await rememberIncidentSummaries(bus, memory, log);
    await bus.publish("incident.closed", { incidentId: "inc-7", status: "escalated", summary: "disk pressure on node-2 evicted the search pods" });
    await bus.publish("incident.closed", {
      incidentId: "inc-9",
      status: "escalated",
      summary: "cart pods in shop were crash looping (CrashLoopBackOff) after a config push; escalated",
    });
    const ask = () => memory.recall("have we seen cart crashing before?", { userId: "alice", kinds: ["incident"] });
    const hits = await eventually(async () => {
      const h = await ask();
      return h.length >= 2 && h;
    }, "both summaries in memory", 10_000);
    expect(hits[0]?.record).toMatchObject({ id: incidentMemoryId("inc-9"), kind: "incident", userId: null, metadata: { incidentId: "inc-9", status: "escalated" } });

    // Closed again later (resolved after escalation): the same record, now resolved.
    await bus.publish("incident.closed", { incidentId: "inc-9", status: "resolved", summary: "cart pods in shop were crash looping after a config push; rolled back" });
    await eventually(async () => (await ask())[0]?.record.metadata.status === "resolved", "the summary replaced", 10_000);
    expect((await ask()).filter((h) => h.record.id === incidentMemoryId("inc-9"))).toHaveLength(1);

    await unsubscribe();
    await bus.publish("incident.closed", { incidentId: "inc-11", status: "resolved", summary: "cart crash looping once more" });
    await sleep(500);
    expect((await ask()).map((h) => h.record.id)).not.toContain(incidentMemoryId("inc-11"));
  });

  it("opens the MongoDB backend when MONGODB_URI is set", async () => {
    const standIn = await startMongoStandIn();
    const m = await openMemory({ config: loadConfig({ MONGODB_URI: standIn.url }), log });
    expect(m.backend).toBe("mongodb");
    await m.remember({ id: "x", kind: "incident", text: "cart crash looping" });
    expect((await m.recall("cart crashloop", { userId: null }))[0]?.record.id).toBe("x");
    await m.close();
    await standIn.close();
  });
});
