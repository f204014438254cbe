import { loadConfig } from "../../../packages/shared/src/config/config.js";
import { runMigrations } from "../../../packages/shared/src/db/migrations.js";
import { createLogger } from "../../../packages/shared/src/logging/logger.js";

// The `migrate` task: brings the database schema up to date, then exits (0 on success).

const config = loadConfig(process.env);
const log = createLogger({ service: "migrate", level: config.logLevel });
const databaseUrl = config.database.url;
if (databaseUrl === undefined) {
  // The supervisor always sets it (embedded or given); run alone, this says what is missing.
  log.fatal("DATABASE_URL is not set");
  process.exit(1);
}
try {
  const report = await runMigrations({ databaseUrl, log });
  log.info(
    { applied: report.applied.length, current: report.current || "none" },
    report.applied.length > 0 ? "schema migrated" : "schema already up to date",
  );
  process.exit(0);
} catch (e) {
  log.fatal({ err: e }, "migration failed");
  process.exit(1);
}
