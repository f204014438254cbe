import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@autodevops/shared";
import { LocalHashEmbedder } from "./embeddings.js";
import { describeMemoryContract } from "./memory-contract.js";
import { exactCosinePipeline, MongoMemory } from "./mongo-memory.js";
import { startMongoStandIn, type MongoStandIn } from "./testing/mongo-stand-in.js";

const log = createLogger({ service: "memory-test", level: "silent" });
const embedder = new LocalHashEmbedder();
const unique = () => `mem_${randomBytes(4).toString("hex")}`;

describe("mongodb memory on a plain server (stand-in)", () => {
  let standIn: MongoStandIn;
  beforeAll(async () => {
    standIn = await startMongoStandIn();
  });
  afterAll(async () => {
    await standIn.close();
  });

  describeMemoryContract("mongodb (stand-in, exact cosine)", async () => new MongoMemory({ uri: standIn.url, collection: unique(), embedder, log }));

  it("falls back to the exact cosine aggregation after the server refuses search indexes", async () => {
    const collection = unique();
    const m = new MongoMemory({ uri: standIn.url, collection, embedder, log });
    await m.remember({ id: "x", kind: "incident", text: "cart pods crash looping" });
    expect(m.searchMode).toBeUndefined();
    expect(ids(await m.recall("cart crashloop", { userId: null }))).toEqual(["x"]);
    expect(m.searchMode).toBe("exact");
    const probes = standIn.commands.filter((c) => c.body[c.name] === collection && c.name === "createSearchIndexes").length;
    await m.recall("cart crashloop", { userId: null });
    // The refusal is remembered: no second probe.
    expect(standIn.commands.filter((c) => c.body[c.name] === collection && c.name === "createSearchIndexes").length).toBe(probes);
    await m.close();
  });

  it("creates the TTL index on expiresAt and the scope indexes", async () => {
    const collection = unique();
    const m = new MongoMemory({ uri: standIn.url, collection, embedder, log });
    await m.remember({ kind: "feedback", userId: "u", text: "thanks" });
    const client = await MongoClient.connect(standIn.url);
    const indexes = await client.db("autodevops").collection(collection).indexes();
    expect(indexes.find((i) => i.name === "expiresAt_ttl")).toMatchObject({ key: { expiresAt: 1 }, expireAfterSeconds: 0 });
    expect(indexes.find((i) => i.name === "userId_kind")?.key).toEqual({ userId: 1, kind: 1 });
    await client.close();
    await m.close();
  });

  it("leaves expired records to the server's TTL monitor, which deletes them", async () => {
    const collection = unique();
    const m = new MongoMemory({ uri: standIn.url, collection, embedder, log });
    await m.remember({ id: "gone", kind: "conversation", userId: "u", text: "short lived", ttlMs: 1 });
    await m.remember({ id: "kept", kind: "conversation", userId: "u", text: "long lived" });
    await new Promise((r) => setTimeout(r, 10));
    expect(standIn.runTtlMonitor()).toBeGreaterThanOrEqual(1);
    expect(standIn.documents("autodevops", collection).map((d) => d._id)).toEqual(["kept"]);
    await m.close();
  });

  it("re-embeds records written by another embedder instead of comparing unlike vectors", async () => {
    const collection = unique();
    const small = new MongoMemory({ uri: standIn.url, collection, embedder: new LocalHashEmbedder(64), log });
    await small.remember({ id: "old", kind: "incident", text: "cart pods crash looping" });
    await small.close();
    const m = new MongoMemory({ uri: standIn.url, collection, embedder, log });
    expect(ids(await m.recall("cart crashloop", { userId: null }))).toEqual(["old"]);
    const [doc] = standIn.documents("autodevops", collection);
    expect(doc).toMatchObject({ embedder: embedder.id });
    expect((doc?.embedding as number[]).length).toBe(384);
    await m.close();
  });

  it("scores with the pipeline exactly as a cosine in JavaScript does", async () => {
    const client = await MongoClient.connect(standIn.url);
    const coll = client.db("autodevops").collection(unique());
    const a = embedder.embedOne("cart pods crash looping");
    const b = embedder.embedOne("disk full on node 3");
    await coll.insertMany([
      { _id: "a" as never, scope: "", kind: "incident", embedder: embedder.id, liveUntil: new Date(Date.now() + 60_000), createdAt: new Date(), embedding: Array.from(a) },
      { _id: "b" as never, scope: "", kind: "incident", embedder: embedder.id, liveUntil: new Date(Date.now() + 60_000), createdAt: new Date(), embedding: Array.from(b) },
    ]);
    const q = embedder.embedOne("crashloop in cart");
    const filter = { scope: { $in: [""] }, kind: { $in: ["incident"] }, embedder: embedder.id, liveUntil: { $gt: new Date() } };
    const out = await coll.aggregate(exactCosinePipeline(Array.from(q), filter, 5, -1)).toArray();
    const dot = (x: Float32Array) => x.reduce((s, v, i) => s + v * q[i]!, 0);
    expect(out.map((d) => d._id)).toEqual(["a", "b"]);
    expect(out[0]?.score).toBeCloseTo(dot(a), 5);
    expect(out[1]?.score).toBeCloseTo(dot(b), 5);
    expect(out[0]).not.toHaveProperty("embedding");
    await client.close();
  });
});

describe("mongodb memory on a server with vector search (stand-in with a flat index)", () => {
  let standIn: MongoStandIn;
  beforeAll(async () => {
    standIn = await startMongoStandIn({ search: true });
  });
  afterAll(async () => {
    await standIn.close();
  });

  // searchRecheckMs 0: the stand-in's index is queryable at once, so the second recall uses it.
  describeMemoryContract("mongodb (stand-in, $vectorSearch)", async () => new MongoMemory({ uri: standIn.url, collection: unique(), embedder, log, searchRecheckMs: 0 }));

  it("creates the vector index with its filter fields and recalls through $vectorSearch once it is queryable", async () => {
    const collection = unique();
    const m = new MongoMemory({ uri: standIn.url, collection, embedder, log, searchRecheckMs: 0 });
    await m.remember({ id: "cart", kind: "incident", text: "cart pods crash looping after deploy" });
    await m.remember({ id: "disk", kind: "incident", text: "disk full on node-3" });
    await m.remember({ id: "mine", kind: "conversation", userId: "bob", text: "bob's cart crash notes" });

    const before = standIn.stagesSeen().$vectorSearch ?? 0;
    const first = await m.recall("crashloop in cart", { userId: "alice", minScore: -1, limit: 5 });
    // Just created: not yet queryable, so the first recall is exact.
    expect(m.searchMode).toBe("exact");
    const second = await m.recall("crashloop in cart", { userId: "alice", minScore: -1, limit: 5 });
    expect(m.searchMode).toBe("vectorSearch");
    expect((standIn.stagesSeen().$vectorSearch ?? 0) - before).toBe(1);
    // Same answer and the same cosine scores on both paths; bob's record on neither.
    expect(ids(second)).toEqual(ids(first));
    expect(ids(second)).toEqual(["cart", "disk"]);
    second.forEach((h, i) => expect(h.score).toBeCloseTo(first[i]!.score, 5));

    const create = standIn.commands.find((c) => c.name === "createSearchIndexes" && c.body.createSearchIndexes === collection);
    const spec = (create?.body.indexes as Array<{ type: string; definition: { fields: Array<{ type: string; path: string; numDimensions?: number }> } }>)[0];
    expect(spec?.type).toBe("vectorSearch");
    expect(spec?.definition.fields).toEqual(
      expect.arrayContaining([
        { type: "vector", path: "embedding", numDimensions: 384, similarity: "cosine" },
        { type: "filter", path: "userId" },
        { type: "filter", path: "kind" },
      ]),
    );
    await m.close();
  });

  it("keeps using the exact aggregation while the index is still building", async () => {
    const slow = await startMongoStandIn({ search: true, searchIndexBuildMs: 60_000 });
    const m = new MongoMemory({ uri: slow.url, collection: unique(), embedder, log, searchRecheckMs: 0 });
    await m.remember({ id: "cart", kind: "incident", text: "cart pods crash looping" });
    for (let i = 0; i < 3; i++) expect(ids(await m.recall("cart crashloop", { userId: null }))).toEqual(["cart"]);
    expect(m.searchMode).toBe("exact");
    expect(slow.stagesSeen().$vectorSearch ?? 0).toBe(0);
    await m.close();
    await slow.close();
  });
});

describe.skipIf(!process.env.MONGODB_URI)("mongodb memory on a real MongoDB (MONGODB_URI)", () => {
  const uri = process.env.MONGODB_URI as string;
  const opened: string[] = [];
  afterAll(async () => {
    const client = await MongoClient.connect(uri);
    for (const name of opened) await client.db().collection(name).drop().catch(() => undefined);
    await client.close();
  });
  describeMemoryContract("mongodb (MONGODB_URI)", async () => {
    const collection = unique();
    opened.push(collection);
    return new MongoMemory({ uri, collection, embedder, log });
  });
});

function ids(hits: Array<{ record: { id: string } }>): string[] {
  return hits.map((h) => h.record.id);
}
