import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@autodevops/shared";
import { createTestDatabase, type TestDatabase } from "@autodevops/shared/testing";
import { EmbeddedMemory, migrateJamie } from "./embedded-memory.js";
import { LocalHashEmbedder } from "./embeddings.js";
import { describeMemoryContract } from "./memory-contract.js";

const log = createLogger({ service: "memory-test", level: "silent" });
const embedder = new LocalHashEmbedder();

describe("embedded memory (Postgres)", () => {
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase("jamie_memory");
    await migrateJamie(db.url, log);
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    // The forced DROP of the test database cuts idle connections: not an uncaught error.
    pool.on("error", () => undefined);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const emptyMemory = async (e = embedder) => {
    await pool.query("TRUNCATE jamie_memories");
    return new EmbeddedMemory({ pool, embedder: e, log });
  };
  const ids = (hits: Array<{ record: { id: string } }>) => hits.map((h) => h.record.id);

  describeMemoryContract("embedded (Postgres)", () => emptyMemory());

  it("shows one replica what another wrote and forgot since its last recall", async () => {
    const a = await emptyMemory();
    const b = new EmbeddedMemory({ pool, embedder, log });
    await a.remember({ id: "x", kind: "incident", text: "cart pods crash looping after deploy" });
    expect(ids(await b.recall("cart crashloop", { userId: null }))).toEqual(["x"]);

    await a.remember({ id: "y", kind: "incident", text: "cart pods crash looping again, out of memory" });
    expect(ids(await b.recall("cart crashloop", { userId: null, limit: 10 })).sort()).toEqual(["x", "y"]);

    await a.forget("x");
    // limit 1: were x still in b's index, it would take the only place and then be dropped.
    expect(ids(await b.recall("cart pods crash looping after deploy", { userId: null, limit: 1 }))).toEqual(["y"]);
    await a.close();
    await b.close();
  });

  it("sees a row committed by a transaction that started before its last look", async () => {
    const m = await emptyMemory();
    await m.remember({ id: "first", kind: "incident", text: "redis failover in eu-west" });
    const slow = await pool.connect();
    try {
      await slow.query("BEGIN");
      await slow.query("SELECT pg_current_xact_id()"); // takes its xid now, commits later
      expect(ids(await m.recall("redis failover", { userId: null }))).toEqual(["first"]);
      const row = (await pool.query<{ embedding: Buffer }>("SELECT embedding FROM jamie_memories WHERE id = 'first'")).rows[0];
      await slow.query(
        `INSERT INTO jamie_memories (id, kind, user_id, text, metadata, created_at, embedder, embedding)
         VALUES ('late', 'incident', NULL, 'redis failover in us-east', '{}', now(), $1, $2)`,
        [embedder.id, row?.embedding],
      );
      await slow.query("COMMIT");
    } finally {
      slow.release();
    }
    expect(ids(await m.recall("redis failover", { userId: null, limit: 10 })).sort()).toEqual(["first", "late"]);
    await m.close();
  });

  it("re-embeds rows written by another embedder instead of comparing unlike vectors", async () => {
    const old = await emptyMemory(new LocalHashEmbedder(64));
    await old.remember({ id: "old", kind: "incident", text: "cart pods crash looping" });
    await old.close();
    const m = new EmbeddedMemory({ pool, embedder, log });
    expect(ids(await m.recall("cart crashloop", { userId: null }))).toEqual(["old"]);
    const row = (await pool.query<{ embedder: string; embedding: Buffer }>("SELECT embedder, embedding FROM jamie_memories WHERE id = 'old'")).rows[0];
    expect(row?.embedder).toBe(embedder.id);
    expect(row?.embedding.length).toBe(384 * 4);
    await m.close();
  });

  it("sweeps expired records and day-old tombstones out of the table", async () => {
    let now = new Date();
    const m = await emptyMemory();
    const clocked = new EmbeddedMemory({ pool, embedder, log, now: () => now });
    await clocked.remember({ id: "brief", kind: "conversation", userId: "u", text: "brief note", ttlMs: 60_000 });
    await clocked.remember({ id: "kept", kind: "conversation", userId: "u", text: "kept note" });
    await clocked.remember({ id: "gone", kind: "conversation", userId: "u", text: "gone note" });
    await clocked.forget("gone");
    const rows = async () => (await pool.query<{ id: string }>("SELECT id FROM jamie_memories ORDER BY id")).rows.map((r) => r.id);
    expect(await rows()).toEqual(["brief", "gone", "kept"]);
    expect(await clocked.sweep()).toBe(0);

    now = new Date(now.getTime() + 2 * 24 * 3600_000);
    expect(await clocked.sweep()).toBe(2);
    expect(await rows()).toEqual(["kept"]);
    await m.close();
    await clocked.close();
  });

  it("keeps the forgotten text out of the table, not only out of recall", async () => {
    const m = await emptyMemory();
    await m.remember({ id: "secret", kind: "conversation", userId: "u", text: "the staging password hint is blue" });
    await m.forgetUser("u");
    const row = (await pool.query<{ text: string; embedding: Buffer | null }>("SELECT text, embedding FROM jamie_memories WHERE id = 'secret'")).rows[0];
    expect(row).toEqual({ text: "", embedding: null });
    await m.close();
  });
});
