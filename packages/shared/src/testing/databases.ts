import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * Test helpers for the real Postgres and Redis servers on the machine. A test that needs them
 * fails with a message that says what is missing and how to start it; it never skips.
 */

const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

const PG_HINT =
  "Postgres is needed for this test. Start the machine's server with " +
  "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, " +
  "or point TEST_DATABASE_URL at a superuser connection.";

/** The superuser connection string the tests use to create and drop their databases. */
export function testAdminUrl(): string {
  return process.env.TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL;
}

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? DEFAULT_REDIS_URL;
}

export interface TestDatabase {
  /** Connection string of the new, empty database. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testAdminUrl(), connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`${PG_HINT} (connecting to ${redactPassword(testAdminUrl())}: ${(err as Error).message})`, { cause: err });
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function redactPassword(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

/** Creates a fresh database on the machine's Postgres, so each test file starts from nothing. */
export async function createTestDatabase(prefix = "autodevops_test"): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(testAdminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Throws a clear error when Redis does not answer on the test URL. */
export async function assertRedisReachable(): Promise<void> {
  const { createClient } = await import("redis");
  const client = createClient({ url: testRedisUrl(), socket: { connectTimeout: 3_000, reconnectStrategy: false } });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new Error(
      `Redis is needed for this test at ${testRedisUrl()}. Start it with ` +
        '`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no` ' +
        `(${(err as Error).message})`,
      { cause: err },
    );
  } finally {
    if (client.isOpen) await client.quit();
  }
}
