import { randomUUID } from "node:crypto";
import { MongoClient, MongoServerError, type Collection, type Document } from "mongodb";
import type { Logger } from "@autodevops/shared";
import type { Embedder } from "./embeddings.js";
import { storedToRecord } from "./stored-record.js";
import {
  MemoryError,
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

/** How recall runs: the server's vector index, or an exact cosine aggregation. */
export type MongoSearchMode = "vectorSearch" | "exact";

/** One memory as stored in MongoDB. */
interface MemoryDoc {
  _id: string;
  kind: string;
  userId: string | null;
  /** userId, or "" for shared records: one string field the vector index can filter with $in. */
  scope: string;
  text: string;
  metadata: Record<string, string | number | boolean>;
  createdAt: Date;
  /** Read by the TTL index (expireAfterSeconds 0); null never expires. */
  expiresAt: Date | null;
  /** expiresAt, or the far future: a date range filter works in $vectorSearch, a null test may not. */
  liveUntil: Date;
  embedder: string;
  embedding: number[];
}

const SHARED_SCOPE = "";
const NEVER = new Date(Date.UTC(9999, 0, 1));

/**
 * Error codes meaning "this server has no vector search", across versions: 6047401 ($vectorSearch
 * / $listSearchIndexes "only allowed on MongoDB Atlas", community 7.x/8.x), 115 CommandNotSupported
 * (createSearchIndexes "only available on Atlas"), 31082 SearchNotEnabled (search commands without
 * a configured mongot), 59 CommandNotFound and 40324 unrecognized stage (servers older than 6.0.7).
 */
const NO_SEARCH_CODES = new Set([6047401, 115, 31082, 59, 40324]);

export function isSearchUnsupported(e: unknown): boolean {
  return e instanceof MongoServerError && (NO_SEARCH_CODES.has(Number(e.code)) || e.codeName === "SearchNotEnabled");
}

export interface MongoMemoryOptions {
  /** A connected-or-not client; the memory closes it only when it created it from `uri`. */
  client?: MongoClient;
  uri?: string;
  /** Database name; defaults to the URI's, else "autodevops". */
  dbName?: string;
  collection?: string;
  embedder: Embedder;
  log: Logger;
  now?: () => Date;
  /** While a new search index is still building, how long before asking again. */
  searchRecheckMs?: number;
}

/** Vector memory in MongoDB: `$vectorSearch` where the server has it, an exact cosine aggregation where not. */
export class MongoMemory implements VectorMemory {
  readonly backend = "mongodb" as const;
  readonly #client: MongoClient;
  readonly #ownsClient: boolean;
  readonly #coll: Collection<MemoryDoc>;
  readonly #embedder: Embedder;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #recheckMs: number;
  readonly #indexName: string;
  #ready: Promise<void> | undefined;
  #mode: MongoSearchMode | undefined;
  /** Set while the search index exists but is not yet queryable: when to look again. */
  #recheckAt = 0;

  constructor(opts: MongoMemoryOptions) {
    if (!opts.client && !opts.uri) throw new Error("MongoMemory needs a client or a uri");
    this.#client = opts.client ?? new MongoClient(opts.uri as string, { appName: "jamie-memory", serverSelectionTimeoutMS: 10_000 });
    this.#ownsClient = !opts.client;
    const name = opts.collection ?? "jamie_memories";
    this.#coll = this.#client.db(opts.dbName ?? databaseOf(opts.uri)).collection<MemoryDoc>(name);
    this.#embedder = opts.embedder;
    this.#log = opts.log.child({ component: "memory", backend: "mongodb", collection: name });
    this.#now = opts.now ?? (() => new Date());
    this.#recheckMs = opts.searchRecheckMs ?? 10_000;
    this.#indexName = `${name}_vector_${opts.embedder.dimensions}`;
  }

  /** The recall mode found by the first probe; undefined before the first recall. */
  get searchMode(): MongoSearchMode | undefined {
    return this.#mode;
  }

  #init(): Promise<void> {
    this.#ready ??= this.#setUp().catch((e: unknown) => {
      this.#ready = undefined; // a later call tries again, e.g. once the server is back
      throw unavailable("setting up the memory collection", e);
    });
    return this.#ready;
  }

  async #setUp(): Promise<void> {
    await this.#coll.createIndexes([
      { key: { expiresAt: 1 }, name: "expiresAt_ttl", expireAfterSeconds: 0 },
      { key: { userId: 1, kind: 1 }, name: "userId_kind" },
      { key: { scope: 1, kind: 1, liveUntil: 1 }, name: "scope_kind_liveUntil" },
    ]);
    await this.#reembedStale();
  }

  /** Records written by another embedder are embedded again, never compared with this one's vectors. */
  async #reembedStale(): Promise<void> {
    const cursor = this.#coll.find({ embedder: { $ne: this.#embedder.id } }, { projection: { text: 1 }, batchSize: 256 });
    let batch: Array<{ _id: string; text: string }> = [];
    let total = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const vectors = await this.#embedder.embed(batch.map((d) => d.text));
      await this.#coll.bulkWrite(
        batch.map((d, i) => ({ updateOne: { filter: { _id: d._id }, update: { $set: { embedding: vectors[i] as number[], embedder: this.#embedder.id } } } })),
        { ordered: false },
      );
      total += batch.length;
      batch = [];
    };
    for await (const d of cursor) {
      batch.push(d as { _id: string; text: string });
      if (batch.length === 256) await flush();
    }
    await flush();
    if (total > 0) this.#log.info({ records: total, embedder: this.#embedder.id }, "memories re-embedded");
  }

  /** Finds out once whether the server can run $vectorSearch, creating the index if needed. */
  async #probe(): Promise<MongoSearchMode> {
    if (this.#mode === "vectorSearch" || (this.#mode === "exact" && this.#recheckAt === 0)) return this.#mode;
    if (this.#mode === "exact" && Date.now() < this.#recheckAt) return "exact";
    try {
      const existing = (await this.#coll.listSearchIndexes(this.#indexName).toArray()) as Array<{ queryable?: boolean }>;
      if (existing.length === 0) {
        await this.#coll.createSearchIndexes([
          {
            name: this.#indexName,
            type: "vectorSearch",
            definition: {
              fields: [
                { type: "vector", path: "embedding", numDimensions: this.#embedder.dimensions, similarity: "cosine" },
                { type: "filter", path: "scope" },
                { type: "filter", path: "userId" },
                { type: "filter", path: "kind" },
                { type: "filter", path: "embedder" },
                { type: "filter", path: "liveUntil" },
              ],
            },
          },
        ]);
        this.#log.info({ index: this.#indexName }, "vector search index requested");
      }
      // A query on an index that is still building answers nothing at all, so wait for queryable.
      if (existing[0]?.queryable === true) {
        this.#recheckAt = 0;
        this.#log.info({ index: this.#indexName }, "recall uses $vectorSearch");
        return (this.#mode = "vectorSearch");
      }
      this.#recheckAt = Date.now() + this.#recheckMs;
      return (this.#mode = "exact");
    } catch (e) {
      if (!isSearchUnsupported(e)) throw e;
      this.#recheckAt = 0;
      this.#log.info({ code: (e as MongoServerError).code }, "server has no vector search; recall uses an exact cosine aggregation");
      return (this.#mode = "exact");
    }
  }

  async remember(input: RememberInput): Promise<MemoryRecord> {
    const parsed = parseRememberInput(input);
    const record = newRecord(parsed, this.#now(), randomUUID);
    const [embedding] = await this.#embedder.embed([record.text]);
    await this.#init();
    const doc: MemoryDoc = {
      _id: record.id,
      kind: record.kind,
      userId: record.userId,
      scope: record.userId ?? SHARED_SCOPE,
      text: record.text,
      metadata: record.metadata,
      createdAt: record.createdAt,
      expiresAt: record.expiresAt,
      liveUntil: record.expiresAt ?? NEVER,
      embedder: this.#embedder.id,
      embedding: embedding as number[],
    };
    try {
      await this.#coll.replaceOne({ _id: record.id }, doc, { upsert: true });
    } catch (e) {
      throw unavailable("storing a memory", e);
    }
    return record;
  }

  async recall(query: string, opts: RecallOptions): Promise<RecallHit[]> {
    const q = parseQuery(query);
    const o = parseRecallOptions(opts);
    const [vector] = await this.#embedder.embed([q]);
    await this.#init();
    const filter = {
      scope: { $in: o.userId === null ? [SHARED_SCOPE] : [SHARED_SCOPE, o.userId] },
      kind: { $in: o.kinds ?? ["conversation", "incident", "feedback"] },
      embedder: this.#embedder.id,
      liveUntil: { $gt: this.#now() },
    };
    try {
      let mode = await this.#probe();
      if (mode === "vectorSearch") {
        try {
          return await this.#run(this.#vectorSearchPipeline(vector as number[], filter, o.limit, o.minScore), (s) => 2 * s - 1);
        } catch (e) {
          if (!isSearchUnsupported(e)) throw e;
          this.#log.warn({ code: (e as MongoServerError).code }, "$vectorSearch refused; recall falls back to an exact cosine aggregation");
          this.#mode = mode = "exact";
          this.#recheckAt = 0;
        }
      }
      return await this.#run(exactCosinePipeline(vector as number[], filter, o.limit, o.minScore), (s) => s);
    } catch (e) {
      throw unavailable("recalling memories", e);
    }
  }

  #vectorSearchPipeline(vector: number[], filter: Record<string, unknown>, limit: number, minScore: number): Document[] {
    return [
      {
        $vectorSearch: {
          index: this.#indexName,
          path: "embedding",
          queryVector: vector,
          // ANN candidates: many more than asked for, so pre-filtering still leaves enough.
          numCandidates: Math.min(10_000, Math.max(100, limit * 20)),
          limit,
          filter: { $and: Object.entries(filter).map(([k, v]) => ({ [k]: v })) },
        },
      },
      { $addFields: { score: { $meta: "vectorSearchScore" } } },
      // The server reports cosine as (1 + cos) / 2.
      { $match: { score: { $gte: (1 + minScore) / 2 } } },
      { $project: { embedding: 0 } },
    ];
  }

  async #run(pipeline: Document[], toCosine: (s: number) => number): Promise<RecallHit[]> {
    const docs = await this.#coll.aggregate<MemoryDoc & { score: number }>(pipeline).toArray();
    return docs.map((d) => ({ record: storedToRecord({ ...d, id: d._id }), score: toCosine(d.score) }));
  }

  async forget(id: string): Promise<boolean> {
    const key = parseKey(id, "memory id");
    await this.#init();
    try {
      return (await this.#coll.deleteOne({ _id: key })).deletedCount === 1;
    } catch (e) {
      throw unavailable("forgetting a memory", e);
    }
  }

  async forgetUser(userId: string): Promise<number> {
    const key = parseKey(userId, "user id");
    await this.#init();
    try {
      return (await this.#coll.deleteMany({ userId: key })).deletedCount;
    } catch (e) {
      throw unavailable("forgetting a user's memories", e);
    }
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await this.#client.close();
  }
}

/**
 * Exact cosine in the server: scope, kind, embedder and expiry first, then the dot product of
 * the stored and query vectors (both unit length, so the dot product is the cosine) over $zip.
 */
export function exactCosinePipeline(vector: number[], filter: Record<string, unknown>, limit: number, minScore: number): Document[] {
  return [
    { $match: filter },
    {
      $addFields: {
        score: {
          $reduce: {
            input: { $zip: { inputs: ["$embedding", { $literal: vector }] } },
            initialValue: 0,
            in: { $add: ["$$value", { $multiply: [{ $arrayElemAt: ["$$this", 0] }, { $arrayElemAt: ["$$this", 1] }] }] },
          },
        },
      },
    },
    { $match: { score: { $gte: minScore } } },
    { $sort: { score: -1, createdAt: -1 } },
    { $limit: limit },
    { $project: { embedding: 0 } },
  ];
}

/** The database named in the URI's path, else "autodevops". */
function databaseOf(uri: string | undefined): string {
  const path = uri?.match(/^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]*)/)?.[1];
  return path ? decodeURIComponent(path) : "autodevops";
}

function unavailable(what: string, e: unknown): MemoryError {
  if (e instanceof MemoryError) return e;
  return new MemoryError("unavailable", `MongoDB failed while ${what}: ${(e as Error).message}`, { cause: e });
}
