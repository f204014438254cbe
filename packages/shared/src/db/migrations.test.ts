import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../logging/logger.js";
import { createTestDatabase, type TestDatabase } from "../testing/databases.js";
import { runMigrations } from "./migrations.js";

const log = createLogger({ service: "test", level: "silent" });
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "migrations-"));
  for (const [name, sql] of Object.entries(files)) await writeFile(path.join(dir, name), sql);
  return dir;
}

describe("runMigrations", () => {
  it("applies the shared migrations once, however often and however concurrently it runs", async () => {
    const runs = await Promise.all([1, 2, 3].map(() => runMigrations({ databaseUrl: db.url, log })));
    const applied = runs.flatMap((r) => r.applied);
    expect(applied).toEqual(["shared/0001_audit_events"]);
    expect(runs.every((r) => r.current === "shared/0001_audit_events")).toBe(true);
    expect((await runMigrations({ databaseUrl: db.url, log })).applied).toEqual([]);
  });

  it("applies a folder's files in order and keeps namespaces apart", async () => {
    const dir = await folder({
      "0002_more.sql": "ALTER TABLE t_app ADD COLUMN b int;",
      "0001_start.sql": "CREATE TABLE t_app (a int);",
    });
    const report = await runMigrations({ databaseUrl: db.url, log, dir, namespace: "app" });
    expect(report.applied).toEqual(["app/0001_start", "app/0002_more"]);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const cols = await client.query("SELECT column_name FROM information_schema.columns WHERE table_name = 't_app' ORDER BY 1");
    await client.end();
    expect(cols.rows.map((r: { column_name: string }) => r.column_name)).toEqual(["a", "b"]);
  });

  it("refuses to start when an applied migration's file was changed", async () => {
    const dir = await folder({ "0001_start.sql": "CREATE TABLE t_changed (a int);" });
    await runMigrations({ databaseUrl: db.url, log, dir, namespace: "changed" });
    await writeFile(path.join(dir, "0001_start.sql"), "CREATE TABLE t_changed (a bigint);");
    await expect(runMigrations({ databaseUrl: db.url, log, dir, namespace: "changed" })).rejects.toThrow(
      /changed\/0001_start was changed after it was applied/,
    );
  });

  it("rolls back a failing migration and names it", async () => {
    const dir = await folder({ "0001_bad.sql": "CREATE TABLE t_bad (a int); SELECT nonsense();" });
    await expect(runMigrations({ databaseUrl: db.url, log, dir, namespace: "bad" })).rejects.toThrow(/bad\/0001_bad failed/);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const exists = await client.query("SELECT to_regclass('t_bad') AS t");
    await client.end();
    expect(exists.rows[0]).toEqual({ t: null });
  });
});
