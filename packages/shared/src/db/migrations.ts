import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import pg from "pg";
import type { Logger } from "../logging/logger.js";

/** The SQL migrations of packages/shared (the audit store); apps may pass their own folder. */
export const SHARED_MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));

const FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/;
// Any constant works; it only has to be the same in every process that migrates.
const MIGRATION_LOCK_KEY = 0x4155_4449; // "AUDI"

export interface MigrationOptions {
  databaseUrl: string;
  log: Logger;
  /** Folder of `NNNN_name.sql` files, applied in order. */
  dir?: string;
  /** Keeps the versions of different folders apart in `schema_migrations`. */
  namespace?: string;
}

export interface MigrationReport {
  /** Versions applied by this call, in order. */
  applied: string[];
  /** The newest version now in the database. */
  current: string;
}

interface MigrationFile {
  version: string;
  sql: string;
  checksum: string;
}

async function readMigrations(dir: string, namespace: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".sql")).sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    if (!FILE_PATTERN.test(name)) throw new Error(`migration file ${name} in ${dir} is not named NNNN_lower_snake.sql`);
    const sql = await readFile(path.join(dir, name), "utf8");
    files.push({ version: `${namespace}/${name.replace(/\.sql$/, "")}`, sql, checksum: createHash("sha256").update(sql).digest("hex") });
  }
  return files;
}

/**
 * Applies the migrations not yet in `schema_migrations`, each in its own transaction, under an
 * advisory lock so that processes starting together migrate once. An applied migration whose
 * file has since changed stops the start: history is never rewritten silently.
 */
export async function runMigrations(opts: MigrationOptions): Promise<MigrationReport> {
  const namespace = opts.namespace ?? "shared";
  const files = await readMigrations(opts.dir ?? SHARED_MIGRATIONS_DIR, namespace);
  const client = new pg.Client({ connectionString: opts.databaseUrl, application_name: "autodevops-migrate" });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = await client.query<{ version: string; checksum: string }>(
      "SELECT version, checksum FROM schema_migrations WHERE version LIKE $1 || '/%'",
      [namespace],
    );
    const applied = new Map(done.rows.map((r) => [r.version, r.checksum]));
    const report: MigrationReport = { applied: [], current: "" };
    for (const file of files) {
      const previous = applied.get(file.version);
      if (previous !== undefined) {
        if (previous !== file.checksum) {
          throw new Error(`migration ${file.version} was changed after it was applied; add a new migration instead`);
        }
        report.current = file.version;
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(file.sql);
        await client.query("INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)", [file.version, file.checksum]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${file.version} failed: ${(error as Error).message}`, { cause: error });
      }
      opts.log.info({ version: file.version }, "migration applied");
      report.applied.push(file.version);
      report.current = file.version;
    }
    return report;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
