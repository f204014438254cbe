import { fileURLToPath } from "node:url";
import pg from "pg";
import { runMigrations, type Logger } from "@autodevops/shared";

/** Scarlet's migrations (incidents, approvals, actions, outcomes), kept apart from the shared ones. */
export const SCARLET_MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));

/** Applies the shared migrations (the audit log) and Scarlet's own, then opens a pool. */
export async function openScarletDatabase(databaseUrl: string, log: Logger): Promise<pg.Pool> {
  await runMigrations({ databaseUrl, log });
  await runMigrations({ databaseUrl, log, dir: SCARLET_MIGRATIONS_DIR, namespace: "scarlet" });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 6, application_name: "scarlet" });
  // An idle client that loses its connection emits here; without a listener it would crash the process.
  pool.on("error", (e) => log.warn({ err: e }, "postgres pool client failed"));
  return pool;
}
