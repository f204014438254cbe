import pg from "pg";
import type { Config, Logger } from "@autodevops/shared";
import { EmbeddedMemory, migrateJamie } from "./embedded-memory.js";
import { createEmbedder, type Embedder, type RemoteEmbedderOptions } from "./embeddings.js";
import { MongoMemory } from "./mongo-memory.js";
import type { VectorMemory } from "./types.js";

/** Deletes expired rows of the embedded backend this often (MongoDB's TTL monitor does its own). */
const SWEEP_EVERY_MS = 10 * 60_000;

export interface OpenMemoryOptions {
  config: Pick<Config, "mongodbUri" | "database" | "llm">;
  log: Logger;
  /** Jamie's pool, shared with the embedded backend; without one the memory opens its own. */
  pool?: pg.Pool;
  /** The embedder to use instead of the one the config names (tests, benchmarks). */
  embedder?: Embedder;
  embedding?: RemoteEmbedderOptions;
}

/**
 * The memory the config names: MongoDB when MONGODB_URI is set, else the embedded backend on
 * Postgres (DATABASE_URL; `npm start` points it at the embedded Postgres), after Jamie's migrations.
 */
export async function openMemory({ config, log, pool, embedder, embedding }: OpenMemoryOptions): Promise<VectorMemory> {
  const e = embedder ?? createEmbedder(config.llm, embedding);
  if (config.mongodbUri) {
    log.info({ backend: "mongodb", embedder: e.id }, "memory opened");
    return new MongoMemory({ uri: config.mongodbUri, embedder: e, log });
  }
  const url = config.database.url;
  if (!url) throw new Error("the embedded memory needs DATABASE_URL (npm start sets it to the embedded Postgres)");
  await migrateJamie(url, log);
  const own = pool ?? new pg.Pool({ connectionString: url, max: 4, application_name: "jamie-memory" });
  // An idle client that loses its connection emits here; without a listener it would crash the process.
  if (!pool) own.on("error", (err) => log.warn({ err }, "memory pool client failed"));
  const memory = new EmbeddedMemory({ pool: own, embedder: e, log, sweepEveryMs: SWEEP_EVERY_MS });
  log.info({ backend: "embedded", embedder: e.id }, "memory opened");
  // Loaded in the background so the first question does not wait for it; a failure here is
  // retried by the first recall.
  memory.warm().catch((err: unknown) => log.warn({ err }, "memory index not loaded at start"));
  if (pool) return memory;
  return {
    backend: memory.backend,
    remember: (input) => memory.remember(input),
    recall: (query, opts) => memory.recall(query, opts),
    forget: (id) => memory.forget(id),
    forgetUser: (userId) => memory.forgetUser(userId),
    close: async () => {
      await memory.close();
      await own.end();
    },
  };
}
