import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type RunningPostgres } from "../../packages/shared/src/db/embedded-postgres.js";
import { createLogger } from "../../packages/shared/src/logging/logger.js";
import { isProcessAlive } from "../../scripts/supervisor/processes.js";
import { freePorts, tempDataDir } from "./harness.js";

// startEmbeddedPostgres used in-process, as a benchmark would, for a throwaway instance.

const log = createLogger({ service: "embedded-postgres-test", level: "silent" });
const isRoot = process.getuid?.() === 0;

describe("startEmbeddedPostgres", () => {
  let dataDir: string;
  let server: RunningPostgres;

  beforeAll(async () => {
    dataDir = await tempDataDir();
    const port = Number((await freePorts()).EMBEDDED_PG_PORT);
    const started = await startEmbeddedPostgres({ dataDir, port, log, database: "bench", libraryHandlesSignals: false, pollIntervalMs: 100 });
    if (!started.ok) throw new Error(started.error.message);
    server = started.value;
  });

  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("answers on its URL, in the database it was asked to create", async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      expect((await client.query("SELECT current_database() AS db")).rows).toEqual([{ db: "bench" }]);
    } finally {
      await client.end();
    }
  });

  it("settles `exited` with the reason when the server dies on its own", async () => {
    process.kill(server.pid, "SIGKILL");
    const exit = await server.exited;
    expect(exit).toEqual({ code: null, reason: expect.stringContaining(`postmaster (pid ${server.pid}) exited`) });
    // stop() after a death returns at once rather than waiting for a process that is gone.
    await server.stop();
    expect(isProcessAlive(server.pid)).toBe(false);
  });
});

describe("startEmbeddedPostgres refusing to start", () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(path.join(tmpdir(), "embedded-pg-refuse-"));
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it.runIf(isRoot)("as root, names the directory the postgres user cannot enter", async () => {
    // mkdtemp makes `parent` 0700; it is the person's directory, not the data dir, so it is left alone.
    const result = await startEmbeddedPostgres({ dataDir: path.join(parent, "data"), port: 1, log });
    expect(result).toMatchObject({ ok: false, error: { code: "data_dir_unreachable", path: parent } });
    expect(result.ok ? "" : result.error.message).toContain(`chmod o+x ${parent}`);
  });

  it("refuses a cluster whose password file is gone, saying how to recover", async () => {
    const dataDir = path.join(parent, "orphaned");
    mkdirSync(path.join(dataDir, "postgres"), { recursive: true });
    writeFileSync(path.join(dataDir, "postgres", "PG_VERSION"), "18\n");
    const result = await startEmbeddedPostgres({ dataDir, port: 1, log });
    expect(result).toMatchObject({ ok: false, error: { code: "password_missing" } });
    expect(result.ok ? "" : result.error.message).toContain(`delete ${path.join(dataDir, "postgres")}`);
  });
});
