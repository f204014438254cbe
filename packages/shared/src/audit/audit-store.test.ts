import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../logging/logger.js";
import { runMigrations } from "../db/migrations.js";
import { createTestDatabase, type TestDatabase } from "../testing/databases.js";
import { PgAuditStore } from "./audit-store.js";
import type { NewAuditEvent } from "../domain/audit-event.js";

const log = createLogger({ service: "test", level: "silent" });
let db: TestDatabase;
let store: PgAuditStore;
let admin: pg.Client;

/** Runs SQL as a superuser with triggers off, as an attacker with database access would. */
async function tamper(sql: string, values: unknown[] = []): Promise<void> {
  await admin.query("SET session_replication_role = replica");
  try {
    await admin.query(sql, values);
  } finally {
    await admin.query("SET session_replication_role = origin");
  }
}

async function appendOk(event: NewAuditEvent) {
  const r = await store.append(event);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function verify() {
  const r = await store.verifyChain();
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations({ databaseUrl: db.url, log });
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
});

afterAll(async () => {
  await store?.close();
  await admin?.end();
  await db?.drop();
});

beforeEach(async () => {
  // Each test gets an empty log: the only way to empty it is to drop and re-create the schema.
  await store?.close();
  await admin.query("DROP TABLE IF EXISTS audit_events, audit_chain_head CASCADE");
  await admin.query("DROP FUNCTION IF EXISTS audit_event_hash, audit_events_chain, audit_refuse_change, audit_chain_head_guard CASCADE");
  await admin.query("DELETE FROM schema_migrations");
  await runMigrations({ databaseUrl: db.url, log });
  store = new PgAuditStore(db.url, log);
});

async function appendSome(n: number) {
  const out = [];
  for (let i = 1; i <= n; i++) {
    out.push(
      await appendOk({
        actor: i % 2 ? "scarlet" : "user:alice",
        type: "action.proposed",
        incidentId: `inc-${i % 3}`,
        target: `prod/shop/svc-${i % 4}`,
        cluster: "prod",
        namespace: "shop",
        data: { i, note: "restart requested" },
      }),
    );
  }
  return out;
}

describe("audit store", () => {
  it("chains each appended row to the hash of the one before it", async () => {
    const rows = await appendSome(5);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]?.prevHash).toBe("0".repeat(64));
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prevHash).toBe(rows[i - 1]?.hash);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(5);
    expect(await verify()).toEqual({ valid: true, checked: 5, headSeq: 5, headHash: rows[4]?.hash });
  });

  it("reports an empty log as a valid chain", async () => {
    expect(await verify()).toMatchObject({ valid: true, checked: 0, headSeq: 0 });
  });

  it("has the database refuse UPDATE, DELETE and TRUNCATE of audit rows", async () => {
    await appendSome(2);
    await expect(admin.query("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1")).rejects.toThrow(/append-only/);
    await expect(admin.query("DELETE FROM audit_events WHERE seq = 2")).rejects.toThrow(/append-only/);
    await expect(admin.query("TRUNCATE audit_events")).rejects.toThrow(/append-only/);
    await expect(admin.query("UPDATE audit_chain_head SET seq = 0")).rejects.toThrow(/only by appending/);
    await expect(admin.query("DELETE FROM audit_chain_head")).rejects.toThrow(/only by appending/);
    expect(await verify()).toMatchObject({ valid: true, checked: 2 });
  });

  it("computes the hash in the database even when a writer supplies its own", async () => {
    await appendSome(1);
    await admin.query(
      "INSERT INTO audit_events (seq, actor, type, prev_hash, hash) VALUES (99, 'mallory', 'action.succeeded', 'x', 'y')",
    );
    const rows = await store.query({ actor: "mallory" });
    expect(rows.ok && rows.value[0]?.seq).toBe(2);
    expect(await verify()).toMatchObject({ valid: true, checked: 2 });
  });

  it("detects a row edited with triggers bypassed", async () => {
    await appendSome(6);
    await tamper("UPDATE audit_events SET data = jsonb_set(data, '{note}', '\"nothing happened\"') WHERE seq = 4");
    expect(await verify()).toMatchObject({ valid: false, firstBroken: { seq: 4, reason: "edited" } });
  });

  it("detects an edit whose row hash was recomputed, at the next row's link", async () => {
    await appendSome(6);
    await tamper(`UPDATE audit_events SET actor = 'mallory',
      hash = audit_event_hash(prev_hash, seq, at, 'mallory', type, incident_id, target, cluster, namespace, data) WHERE seq = 3`);
    expect(await verify()).toMatchObject({ valid: false, firstBroken: { seq: 4, reason: "relinked" } });
  });

  it("detects a deleted row in the middle", async () => {
    await appendSome(6);
    await tamper("DELETE FROM audit_events WHERE seq = 3");
    expect(await verify()).toMatchObject({ valid: false, firstBroken: { seq: 3, reason: "missing" } });
  });

  it("detects deleted rows at the end against the chain head", async () => {
    await appendSome(6);
    await tamper("DELETE FROM audit_events WHERE seq >= 5");
    expect(await verify()).toMatchObject({ valid: false, firstBroken: { seq: 5, reason: "truncated" } });
  });

  it("detects a deleted first row", async () => {
    await appendSome(3);
    await tamper("DELETE FROM audit_events WHERE seq = 1");
    expect(await verify()).toMatchObject({ valid: false, firstBroken: { seq: 1, reason: "missing" } });
  });

  it("answers every append of a caller that awaits each one directly", async () => {
    // Regression: a caller woken by one batch used to queue its next append behind a drain
    // that had already finished, and wait forever.
    for (let i = 0; i < 50; i++) {
      const r = await store.append({ actor: "scarlet", type: "tool.called", data: { i } });
      expect(r.ok && r.value.seq).toBe(i + 1);
    }
  }, 10_000);

  it("keeps one chain when hundreds of appends are in flight at once", async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => store.append({ actor: "scarlet", type: "tool.called", data: { i } })),
    );
    const seqs = results.map((r) => (r.ok ? r.value.seq : -1)).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(await verify()).toMatchObject({ valid: true, checked: 300 });
  });

  it("rejects an invalid event with a message and writes nothing", async () => {
    const bad = await store.append({ actor: "", type: "made.up" } as unknown as NewAuditEvent);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe("invalid");
      expect(bad.error.message).toMatch(/actor/);
      expect(bad.error.message).toMatch(/type/);
    }
    const head = await store.head();
    expect(head.ok && head.value.seq).toBe(0);
  });

  it("fails only the bad event of a batch that the database refuses", async () => {
    const results = await Promise.all([
      store.append({ actor: "scarlet", type: "tool.called" }),
      // Passes zod but not Postgres: \u0000 is refused inside jsonb keys.
      store.append({ actor: "scarlet", type: "tool.called", data: { "bad\u0000key": 1 } }),
      store.append({ actor: "scarlet", type: "tool.called" }),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(await verify()).toMatchObject({ valid: true, checked: 2 });
  });

  it("never stores the values of credential fields", async () => {
    const row = await appendOk({
      actor: "jamie",
      type: "tool.called",
      data: { tool: "k8s_get", args: { token: "abc", headers: { Authorization: "Bearer x" } }, apiKey: "k" },
    });
    expect(row.data).toEqual({
      tool: "k8s_get",
      args: { token: "[Redacted]", headers: { Authorization: "[Redacted]" } },
      apiKey: "[Redacted]",
    });
  });

  it("finds rows by incident, target, actor and time range, and pages with a cursor", async () => {
    const rows = await appendSome(12);
    const byIncident = await store.query({ incidentId: "inc-1" });
    expect(byIncident.ok && byIncident.value.map((r) => r.seq)).toEqual([1, 4, 7, 10]);
    const byTarget = await store.query({ target: "prod/shop/svc-2" });
    expect(byTarget.ok && byTarget.value.map((r) => r.seq)).toEqual([2, 6, 10]);
    const byActor = await store.query({ actor: "user:alice", order: "desc", limit: 2 });
    expect(byActor.ok && byActor.value.map((r) => r.seq)).toEqual([12, 10]);
    const next = await store.query({ actor: "user:alice", order: "desc", limit: 2, cursor: 10 });
    expect(next.ok && next.value.map((r) => r.seq)).toEqual([8, 6]);
    const from = rows[4]?.at ?? "";
    const until = rows[8]?.at ?? "";
    const inRange = await store.query({ since: from, until });
    expect(inRange.ok && inRange.value.map((r) => r.seq)).toEqual([5, 6, 7, 8]);
  });

  it("rejects a malformed query instead of running it", async () => {
    const r = await store.query({ since: "yesterday" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/since/);
  });
});
