import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { runMigrations, type Logger } from "@autodevops/shared";
import { normalise, type Embedder } from "./embeddings.js";
import { storedToRecord } from "./stored-record.js";
import {
  MemoryError,
  MemoryKind,
  newRecord,
  parseKey,
  parseQuery,
  parseRecallOptions,
  parseRememberInput,
  type MemoryRecord,
  type RecallHit,
  type RecallOptions,
  type RememberInput,
  type VectorMemory,
} from "./types.js";
import { VectorIndex } from "./vector-index.js";

/** Jamie's SQL migrations, applied under the "jamie" namespace. */
export const JAMIE_MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));

/** Applies Jamie's migrations (the memory table) to this database. */
export async function migrateJamie(databaseUrl: string, log: Logger): Promise<void> {
  await runMigrations({ databaseUrl, log, dir: JAMIE_MIGRATIONS_DIR, namespace: "jamie" });
}

/** A forgotten record's tombstone lives this long; a replica that looked longer ago reloads everything. */
const TOMBSTONE_MS = 24 * 3600_000;
const LOAD_PAGE = 5_000;

export interface EmbeddedMemoryOptions {
  pool: pg.Pool;
  embedder: Embedder;
  log: Logger;
  now?: () => Date;
  /** How often expired records and old tombstones are deleted; 0: never (call sweep()). */
  sweepEveryMs?: number;
}

interface Row {
  id: string;
  kind: string;
  user_id: string | null;
  text: string;
  metadata: unknown;
  created_at: Date;
  expires_at: Date | null;
  embedder: string;
  embedding: Buffer | null;
  deleted: boolean;
}

const columns = (t: string) =>
  `${t}id, ${t}kind, ${t}user_id, ${t}text, ${t}metadata, ${t}created_at, ${t}expires_at, ${t}embedder, ${t}embedding, ${t}deleted_at IS NOT NULL AS deleted`;
const ROW_COLUMNS = columns("");

function toBytes(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** A view on the bytes (the index copies them); a Buffer at an unaligned offset is copied first. */
function fromBytes(b: Buffer): Float32Array {
  if (b.byteOffset % 4 === 0) return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
  return new Float32Array(Uint8Array.from(b).buffer);
}

/**
 * Vector memory in Postgres, searched in process: rows hold the vectors, each instance keeps a
 * VectorIndex loaded on first recall and updated by its own writes; before each recall it reads
 * the rows other replicas committed since its last look (one indexed query, usually empty).
 */
export class EmbeddedMemory implements VectorMemory {
  readonly backend = "embedded" as const;
  readonly #pool: pg.Pool;
  readonly #embedder: Embedder;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #sweeper: NodeJS.Timeout | undefined;
  #index: VectorIndex | undefined;
  #loading: Promise<VectorIndex> | undefined;
  #syncing: Promise<void> | undefined;
  /** Every transaction that committed after our last look has an xid at or above this. */
  #xmin = "0";
  #lastLookMs = 0;

  constructor(opts: EmbeddedMemoryOptions) {
    this.#pool = opts.pool;
    this.#embedder = opts.embedder;
    this.#log = opts.log.child({ component: "memory", backend: "embedded" });
    this.#now = opts.now ?? (() => new Date());
    if (opts.sweepEveryMs) {
      this.#sweeper = setInterval(() => {
        this.sweep().catch((e: unknown) => this.#log.warn({ err: e }, "memory sweep failed"));
      }, opts.sweepEveryMs);
      this.#sweeper.unref();
    }
  }

  async remember(input: RememberInput): Promise<MemoryRecord> {
    const record = newRecord(parseRememberInput(input), this.#now(), randomUUID);
    const vector = await this.#embedOne(record.text);
    await this.#query(
      `INSERT INTO jamie_memories (id, kind, user_id, text, metadata, created_at, expires_at, embedder, embedding)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, user_id = EXCLUDED.user_id, text = EXCLUDED.text,
         metadata = EXCLUDED.metadata, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
         embedder = EXCLUDED.embedder, embedding = EXCLUDED.embedding, deleted_at = NULL, xid = pg_current_xact_id()`,
      [record.id, record.kind, record.userId, record.text, JSON.stringify(record.metadata), record.createdAt, record.expiresAt, this.#embedder.id, toBytes(vector)],
      "storing a memory",
    );
    this.#index?.upsert({ id: record.id, kind: record.kind, userId: record.userId, expiresAtMs: record.expiresAt?.getTime() ?? Infinity, vector });
    return record;
  }

  /** Stores many records in one statement per batch (for imports and the benchmark). */
  async rememberMany(inputs: RememberInput[]): Promise<MemoryRecord[]> {
    const now = this.#now();
    const records = inputs.map((i) => newRecord(parseRememberInput(i), now, randomUUID));
    const vectors = (await this.#embedder.embed(records.map((r) => r.text))).map((v) => normalise(Float32Array.from(v)));
    await this.#query(
      `INSERT INTO jamie_memories (id, kind, user_id, text, metadata, created_at, expires_at, embedder, embedding)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[], $7::timestamptz[], $8::text[], $9::bytea[])
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, user_id = EXCLUDED.user_id, text = EXCLUDED.text,
         metadata = EXCLUDED.metadata, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
         embedder = EXCLUDED.embedder, embedding = EXCLUDED.embedding, deleted_at = NULL, xid = pg_current_xact_id()`,
      [
        records.map((r) => r.id),
        records.map((r) => r.kind),
        records.map((r) => r.userId),
        records.map((r) => r.text),
        records.map((r) => JSON.stringify(r.metadata)),
        records.map((r) => r.createdAt),
        records.map((r) => r.expiresAt),
        records.map(() => this.#embedder.id),
        vectors.map(toBytes),
      ],
      "storing memories",
    );
    records.forEach((r, i) => this.#index?.upsert({ id: r.id, kind: r.kind, userId: r.userId, expiresAtMs: r.expiresAt?.getTime() ?? Infinity, vector: vectors[i] as Float32Array }));
    return records;
  }

  async recall(query: string, opts: RecallOptions): Promise<RecallHit[]> {
    const q = parseQuery(query);
    const o = parseRecallOptions(opts);
    const [vector, index] = await Promise.all([this.#embedOne(q), this.#ready()]);
    await this.#catchUp(index);
    const now = this.#now();
    const found = index.search(vector, { userId: o.userId, kinds: o.kinds, limit: o.limit, minScore: o.minScore, nowMs: now.getTime() });
    if (found.length === 0) return [];
    // The rows are the truth: one that another replica deleted a moment ago is dropped here.
    const rows = await this.#query<Row>(
      `SELECT ${ROW_COLUMNS} FROM jamie_memories WHERE id = ANY($1) AND deleted_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
      [found.map((f) => f.id), now],
      "reading recalled memories",
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return found.flatMap(({ id, score }) => {
      const row = byId.get(id);
      return row ? [{ record: toRecord(row), score }] : [];
    });
  }

  async forget(id: string): Promise<boolean> {
    const key = parseKey(id, "memory id");
    const rows = await this.#query<{ id: string }>(
      `UPDATE jamie_memories SET deleted_at = now(), text = '', metadata = '{}'::jsonb, embedding = NULL, xid = pg_current_xact_id()
       WHERE id = $1 AND deleted_at IS NULL RETURNING id`,
      [key],
      "forgetting a memory",
    );
    this.#index?.remove(key);
    return rows.length === 1;
  }

  async forgetUser(userId: string): Promise<number> {
    const key = parseKey(userId, "user id");
    const rows = await this.#query<{ id: string }>(
      `UPDATE jamie_memories SET deleted_at = now(), text = '', metadata = '{}'::jsonb, embedding = NULL, xid = pg_current_xact_id()
       WHERE user_id = $1 AND deleted_at IS NULL RETURNING id`,
      [key],
      "forgetting a user's memories",
    );
    for (const r of rows) this.#index?.remove(r.id);
    return rows.length;
  }

  /** Deletes expired records and old tombstones; returns how many rows went. */
  async sweep(): Promise<number> {
    const now = this.#now();
    const rows = await this.#query<{ id: string }>(
      "DELETE FROM jamie_memories WHERE expires_at <= $1 OR deleted_at < $2 RETURNING id",
      [now, new Date(now.getTime() - TOMBSTONE_MS)],
      "sweeping expired memories",
    );
    for (const r of rows) this.#index?.remove(r.id);
    if (rows.length > 0) this.#log.debug({ rows: rows.length }, "expired memories deleted");
    return rows.length;
  }

  /** Loads the index now rather than on the first recall (a second or more at 100k records). */
  async warm(): Promise<void> {
    await this.#ready();
  }

  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#index = undefined;
  }

  async #embedOne(text: string): Promise<Float32Array> {
    const [v] = await this.#embedder.embed([text]);
    return normalise(Float32Array.from(v as number[]));
  }

  async #query<R extends object>(sql: string, params: unknown[], what: string): Promise<R[]> {
    try {
      return (await this.#pool.query<R>(sql, params)).rows;
    } catch (e) {
      throw new MemoryError("unavailable", `Postgres failed while ${what}: ${(e as Error).message}`, { cause: e });
    }
  }

  #ready(): Promise<VectorIndex> {
    if (this.#index) return Promise.resolve(this.#index);
    this.#loading ??= this.#load().finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  /** Reads every live row into a new index, page by page, in one snapshot. */
  async #load(): Promise<VectorIndex> {
    const started = Date.now();
    const index = new VectorIndex(this.#embedder.dimensions);
    const client = await this.#pool.connect().catch((e: unknown) => {
      throw new MemoryError("unavailable", `Postgres failed while loading memories: ${(e as Error).message}`, { cause: e });
    });
    const stale: Row[] = [];
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const snap = await client.query<{ xmin: string }>("SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin");
      // A cursor reads the table in one sequential pass; paging by id made the planner sort each page.
      await client.query(
        `DECLARE jamie_memory_load NO SCROLL CURSOR FOR
         SELECT id, kind, user_id, CASE WHEN embedder = $1 THEN '' ELSE text END AS text, NULL AS metadata, created_at, expires_at,
           embedder, CASE WHEN embedder = $1 THEN embedding END AS embedding, false AS deleted
         FROM jamie_memories WHERE deleted_at IS NULL`,
        [this.#embedder.id],
      );
      for (;;) {
        const page = await client.query<Row>(`FETCH ${LOAD_PAGE} FROM jamie_memory_load`);
        for (const row of page.rows) {
          if (row.embedder === this.#embedder.id && row.embedding) index.upsert(entryOf(row));
          else stale.push(row);
        }
        if (page.rows.length < LOAD_PAGE) break;
      }
      await client.query("COMMIT");
      this.#xmin = snap.rows[0]?.xmin ?? "0";
      this.#lastLookMs = Date.now();
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw new MemoryError("unavailable", `Postgres failed while loading memories: ${(e as Error).message}`, { cause: e });
    } finally {
      client.release();
    }
    await this.#reembed(stale, index);
    this.#index = index;
    this.#log.info({ records: index.count, reembedded: stale.length, ms: Date.now() - started }, "memory index loaded");
    return index;
  }

  /** Rows embedded by another model or size are embedded again with ours, never compared as they are. */
  async #reembed(rows: Row[], index: VectorIndex): Promise<void> {
    for (let i = 0; i < rows.length; i += 256) {
      const batch = rows.slice(i, i + 256);
      try {
        const vectors = (await this.#embedder.embed(batch.map((r) => r.text))).map((v) => normalise(Float32Array.from(v)));
        await this.#query(
          `UPDATE jamie_memories m SET embedder = $1, embedding = u.embedding, xid = pg_current_xact_id()
           FROM unnest($2::text[], $3::bytea[], $4::text[]) AS u(id, embedding, old) WHERE m.id = u.id AND m.embedder = u.old`,
          [this.#embedder.id, batch.map((r) => r.id), vectors.map(toBytes), batch.map((r) => r.embedder)],
          "re-embedding memories",
        );
        batch.forEach((r, j) => index.upsert(entryOf({ ...r, embedding: toBytes(vectors[j] as Float32Array) })));
      } catch (e) {
        // Left out of the index (never compared with unlike vectors); the next load tries again.
        this.#log.warn({ err: e, records: batch.length, embedder: this.#embedder.id }, "memories could not be re-embedded");
      }
    }
  }

  /** Applies what other replicas committed since the last look; concurrent recalls share one look. */
  async #catchUp(index: VectorIndex): Promise<void> {
    if (Date.now() - this.#lastLookMs > TOMBSTONE_MS / 2) {
      // Tombstones older than a day are gone: only a full reload shows those deletions.
      this.#index = undefined;
      await this.#ready();
      return;
    }
    this.#syncing ??= this.#look(index).finally(() => (this.#syncing = undefined));
    await this.#syncing;
  }

  async #look(index: VectorIndex): Promise<void> {
    // One statement, one snapshot: its xmin bounds every transaction not visible to it.
    const rows = await this.#query<Row & { snap_xmin: string }>(
      `SELECT s.snap_xmin, ${columns("m.")}
       FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS snap_xmin) s
       LEFT JOIN jamie_memories m ON m.xid >= $1::text::xid8`,
      [this.#xmin],
      "catching up with other replicas",
    );
    const stale: Row[] = [];
    for (const row of rows) {
      if (row.id === null) continue; // the snapshot row with no changes joined
      if (row.deleted) index.remove(row.id);
      else if (row.embedder === this.#embedder.id && row.embedding) index.upsert(entryOf(row));
      else stale.push(row);
    }
    if (stale.length) await this.#reembed(stale, index);
    this.#xmin = rows[0]?.snap_xmin ?? this.#xmin;
    this.#lastLookMs = Date.now();
  }
}

function entryOf(row: Row) {
  return {
    id: row.id,
    kind: MemoryKind.parse(row.kind),
    userId: row.user_id,
    expiresAtMs: row.expires_at?.getTime() ?? Infinity,
    vector: fromBytes(row.embedding as Buffer),
  };
}

function toRecord(row: Row): MemoryRecord {
  return storedToRecord({
    id: row.id,
    kind: row.kind,
    userId: row.user_id,
    text: row.text,
    metadata: row.metadata,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  });
}
