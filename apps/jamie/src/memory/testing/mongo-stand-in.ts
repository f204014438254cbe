import { createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { BSON } from "mongodb";
import { CommandError, compareValues, getPath, matches, runStages, sortDocs, type Meta } from "./mongo-eval.js";
import { decodeMessage, encodeLegacyReply, encodeMsgReply, MessageReader, type Doc } from "./mongo-wire.js";

/**
 * A local stand-in for MongoDB, speaking its wire protocol to the real `mongodb` driver, for the
 * commands Jamie's memory and the driver's handshake use. No MongoDB server runs on this machine,
 * so this is where the backend's queries meet a server. By default it answers as a plain
 * (community) server does: search index commands and `$vectorSearch` fail with the errors a real
 * one sends. With `search: true` it behaves like a server with a flat (exact) vector index.
 * Test support, not shipped code.
 */

export interface MongoStandInOptions {
  /** Accept createSearchIndexes, $listSearchIndexes and $vectorSearch (Atlas, or 8.2+ with mongot). */
  search?: boolean;
  /** A new search index answers status PENDING and queryable false for this long. */
  searchIndexBuildMs?: number;
  /** How often the TTL monitor runs (a real server: every 60 s). */
  ttlMonitorMs?: number;
}

export interface ReceivedCommand {
  name: string;
  db: string;
  body: Doc;
}

export interface MongoStandIn {
  /** A connection string for the driver. */
  url: string;
  /** Every command received, in order (handshakes and monitoring included). */
  commands: ReceivedCommand[];
  /** Counts of first pipeline stages seen in `aggregate`, e.g. { $vectorSearch: 2, $match: 1 }. */
  stagesSeen(): Record<string, number>;
  /** The stored documents of one collection (copies), for assertions. */
  documents(db: string, collection: string): Doc[];
  /** Runs one TTL monitor pass now. */
  runTtlMonitor(): number;
  close(): Promise<void>;
}

interface IndexSpec {
  name: string;
  key: Doc;
  expireAfterSeconds?: number;
}

interface SearchIndex {
  id: string;
  name: string;
  type: string;
  definition: Doc;
  readyAt: number;
}

interface Collection {
  docs: Map<string, Doc>;
  indexes: IndexSpec[];
  searchIndexes: SearchIndex[];
}

const clone = (d: Doc): Doc => BSON.deserialize(BSON.serialize(d)) as Doc;
const idKey = (id: unknown): string => (typeof id === "string" ? `s:${id}` : `x:${JSON.stringify(BSON.EJSON.serialize({ id }))}`);

function notAtlas(stage: string): CommandError {
  return new CommandError(6047401, "Location6047401", `${stage} stage is only allowed on MongoDB Atlas`);
}

/** Starts the stand-in on 127.0.0.1, port 0. */
export async function startMongoStandIn(opts: MongoStandInOptions = {}): Promise<MongoStandIn> {
  const dbs = new Map<string, Map<string, Collection>>();
  const commands: ReceivedCommand[] = [];
  const stages: Record<string, number> = {};
  const cursors = new Map<bigint, { ns: string; docs: Doc[] }>();
  const sockets = new Set<Socket>();
  let nextCursor = 1n;
  let nextSearchIndex = 1;
  let connectionId = 1;

  const collection = (db: string, name: string, create: boolean): Collection | undefined => {
    let d = dbs.get(db);
    if (!d && create) dbs.set(db, (d = new Map()));
    let c = d?.get(name);
    if (!c && create && d) {
      c = { docs: new Map(), indexes: [{ name: "_id_", key: { _id: 1 } }], searchIndexes: [] };
      d.set(name, c);
    }
    return c;
  };

  const cursorReply = (ns: string, docs: Doc[], batchSize: number | undefined, first: boolean): Doc => {
    const size = batchSize && batchSize > 0 ? batchSize : first ? 101 : docs.length;
    const batch = docs.slice(0, size);
    let id = 0n;
    if (docs.length > size) {
      id = nextCursor++;
      cursors.set(id, { ns, docs: docs.slice(size) });
    }
    return { cursor: { [first ? "firstBatch" : "nextBatch"]: batch, id: BSON.Long.fromBigInt(id), ns }, ok: 1 };
  };

  const searchStatus = (ix: SearchIndex) => (Date.now() >= ix.readyAt ? { status: "READY", queryable: true } : { status: "PENDING", queryable: false });

  function vectorSearch(coll: Collection | undefined, spec: Doc, meta: Meta): Doc[] {
    const index = coll?.searchIndexes.find((i) => i.name === spec.index && i.type === "vectorSearch");
    // Atlas answers a query on a missing or unbuilt index with no results, not an error.
    if (!coll || !index || !searchStatus(index).queryable) return [];
    const fields = (index.definition.fields as Doc[] | undefined) ?? [];
    const vectorField = fields.find((f) => f.type === "vector" && f.path === spec.path);
    if (!vectorField) throw new CommandError(8, "UnknownError", `Path '${String(spec.path)}' needs to be indexed as vector`);
    const query = spec.queryVector as number[];
    if (!Array.isArray(query) || query.length !== vectorField.numDimensions) {
      throw new CommandError(8, "UnknownError", `vector field is indexed with ${String(vectorField.numDimensions)} dimensions but queried with ${Array.isArray(query) ? query.length : 0}`);
    }
    const limit = spec.limit as number;
    if (!spec.exact && (typeof spec.numCandidates !== "number" || spec.numCandidates < limit || spec.numCandidates > 10_000)) {
      throw new CommandError(8, "UnknownError", "numCandidates must be at least limit and at most 10000");
    }
    const filter = (spec.filter as Doc | undefined) ?? {};
    const filterPaths = new Set(fields.filter((f) => f.type === "filter").map((f) => f.path as string));
    const used = (f: Doc): string[] => Object.entries(f).flatMap(([k, v]) => (k === "$and" || k === "$or" ? (v as Doc[]).flatMap(used) : [k]));
    for (const path of used(filter)) if (!filterPaths.has(path)) throw new CommandError(8, "UnknownError", `Path '${path}' needs to be indexed as filter`);
    const qNorm = Math.hypot(...query);
    const scored: Doc[] = [];
    for (const doc of coll.docs.values()) {
      const v = getPath(doc, spec.path as string);
      if (!Array.isArray(v) || v.length !== query.length || !matches(doc, filter)) continue;
      let dot = 0;
      for (let i = 0; i < v.length; i++) dot += (v[i] as number) * (query[i] as number);
      const norm = Math.hypot(...(v as number[])) * qNorm;
      const copy = clone(doc);
      // Atlas reports cosine similarity as (1 + cosine) / 2, in [0, 1].
      meta.set(copy, norm === 0 ? 0.5 : (1 + dot / norm) / 2);
      scored.push(copy);
    }
    return sortDocs(scored, { score: { $meta: "vectorSearchScore" } }, meta).slice(0, limit);
  }

  function run(db: string, body: Doc): Doc {
    const name = Object.keys(body)[0] ?? "";
    commands.push({ name, db, body });
    const collName = String(body[name]);
    switch (name.toLowerCase()) {
      case "hello":
      case "ismaster":
        return {
          helloOk: true,
          ismaster: true,
          isWritablePrimary: true,
          maxBsonObjectSize: 16 * 1024 * 1024,
          maxMessageSizeBytes: 48_000_000,
          maxWriteBatchSize: 100_000,
          localTime: new Date(),
          logicalSessionTimeoutMinutes: 30,
          connectionId: connectionId++,
          minWireVersion: 0,
          maxWireVersion: 25,
          readOnly: false,
          ok: 1,
        };
      case "ping":
      case "endsessions":
        return { ok: 1 };
      case "buildinfo":
        return { version: "8.0.4", versionArray: [8, 0, 4, 0], bits: 64, maxBsonObjectSize: 16 * 1024 * 1024, ok: 1 };
      case "insert": {
        const coll = collection(db, collName, true) as Collection;
        const writeErrors: Doc[] = [];
        let n = 0;
        (body.documents as Doc[]).forEach((doc, index) => {
          const d = { _id: doc._id ?? new BSON.ObjectId(), ...doc };
          const key = idKey(d._id);
          if (coll.docs.has(key)) writeErrors.push({ index, code: 11000, errmsg: `E11000 duplicate key error collection: ${db}.${collName} index: _id_` });
          else {
            coll.docs.set(key, d);
            n++;
          }
        });
        return writeErrors.length ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
      }
      case "update": {
        const coll = collection(db, collName, true) as Collection;
        let n = 0;
        let nModified = 0;
        const upserted: Doc[] = [];
        (body.updates as Doc[]).forEach((u, index) => {
          const targets = [...coll.docs.values()].filter((d) => matches(d, u.q as Doc));
          const update = u.u as Doc;
          const isOps = Object.keys(update).every((k) => k.startsWith("$"));
          const apply = (base: Doc, inserting: boolean): Doc => {
            if (!isOps) return { _id: base._id, ...update };
            const out = { ...base };
            for (const [op, fields] of Object.entries(update)) {
              if (op === "$set" || (op === "$setOnInsert" && inserting)) Object.assign(out, fields);
              else if (op === "$unset") for (const k of Object.keys(fields as Doc)) delete out[k];
              else if (op !== "$setOnInsert") throw new CommandError(9, "FailedToParse", `Unknown modifier: ${op}`);
            }
            return out;
          };
          if (targets.length === 0 && u.upsert) {
            const q = u.q as Doc;
            const seed: Doc = Object.fromEntries(Object.entries(q).filter(([k, v]) => !k.startsWith("$") && (v === null || typeof v !== "object" || v instanceof Date)));
            const doc = apply({ ...seed, _id: (isOps ? undefined : update._id) ?? seed._id ?? new BSON.ObjectId() }, true);
            coll.docs.set(idKey(doc._id), doc);
            upserted.push({ index, _id: doc._id });
            n++;
            return;
          }
          for (const t of u.multi ? targets : targets.slice(0, 1)) {
            const next = apply(t, false);
            n++;
            if (JSON.stringify(BSON.EJSON.serialize(next)) !== JSON.stringify(BSON.EJSON.serialize(t))) nModified++;
            coll.docs.set(idKey(t._id), next);
          }
        });
        return upserted.length ? { n, nModified, upserted, ok: 1 } : { n, nModified, ok: 1 };
      }
      case "delete": {
        const coll = collection(db, collName, false);
        let n = 0;
        for (const del of body.deletes as Doc[]) {
          if (!coll) continue;
          const targets = [...coll.docs.entries()].filter(([, d]) => matches(d, del.q as Doc));
          for (const [key] of del.limit === 1 ? targets.slice(0, 1) : targets) {
            coll.docs.delete(key);
            n++;
          }
        }
        return { n, ok: 1 };
      }
      case "find": {
        const coll = collection(db, collName, false);
        let docs = [...(coll?.docs.values() ?? [])].filter((d) => matches(d, (body.filter as Doc | undefined) ?? {}));
        const meta: Meta = new WeakMap();
        if (body.sort) docs = sortDocs(docs, body.sort as Doc, meta);
        if (typeof body.skip === "number") docs = docs.slice(body.skip);
        if (typeof body.limit === "number" && body.limit > 0) docs = docs.slice(0, body.limit);
        if (body.projection && Object.keys(body.projection as Doc).length) docs = runStages(docs, [{ $project: body.projection }], meta);
        return cursorReply(`${db}.${collName}`, docs.map(clone), body.batchSize as number | undefined, true);
      }
      case "getmore": {
        const id = (body.getMore as BSON.Long).toBigInt();
        const c = cursors.get(id);
        if (!c) throw new CommandError(43, "CursorNotFound", `cursor id ${id} not found`);
        cursors.delete(id);
        return cursorReply(c.ns, c.docs, body.batchSize as number | undefined, false);
      }
      case "killcursors": {
        const ids = (body.cursors as BSON.Long[]).map((c) => c.toBigInt());
        for (const id of ids) cursors.delete(id);
        return { cursorsKilled: body.cursors, cursorsNotFound: [], cursorsAlive: [], cursorsUnknown: [], ok: 1 };
      }
      case "aggregate": {
        const coll = collection(db, collName, false);
        const pipeline = body.pipeline as Doc[];
        const first = Object.keys(pipeline[0] ?? {})[0] ?? "";
        stages[first] = (stages[first] ?? 0) + 1;
        const meta: Meta = new WeakMap();
        let source: Doc[];
        let rest = pipeline;
        if (first === "$vectorSearch" || first === "$listSearchIndexes") {
          if (!opts.search) throw notAtlas(first);
          const spec = (pipeline[0] as Doc)[first] as Doc;
          rest = pipeline.slice(1);
          source =
            first === "$vectorSearch"
              ? vectorSearch(coll, spec, meta)
              : (coll?.searchIndexes ?? [])
                  .filter((i) => spec.name === undefined || i.name === spec.name)
                  .map((i) => ({ id: i.id, name: i.name, type: i.type, ...searchStatus(i), latestDefinition: i.definition }));
        } else {
          source = [...(coll?.docs.values() ?? [])].map(clone);
        }
        const out = runStages(source, rest, meta);
        return cursorReply(`${db}.${collName}`, out, (body.cursor as Doc | undefined)?.batchSize as number | undefined, true);
      }
      case "createindexes": {
        const existed = collection(db, collName, false) !== undefined;
        const coll = collection(db, collName, true) as Collection;
        const before = coll.indexes.length;
        for (const spec of body.indexes as Doc[]) {
          const same = coll.indexes.find((i) => i.name === spec.name);
          if (same) {
            if (JSON.stringify(same.key) !== JSON.stringify(spec.key) || same.expireAfterSeconds !== spec.expireAfterSeconds) {
              throw new CommandError(85, "IndexOptionsConflict", `An existing index has the same name as the requested index: ${String(spec.name)}`);
            }
            continue;
          }
          coll.indexes.push({ name: spec.name as string, key: spec.key as Doc, ...(typeof spec.expireAfterSeconds === "number" ? { expireAfterSeconds: spec.expireAfterSeconds } : {}) });
        }
        return { createdCollectionAutomatically: !existed, numIndexesBefore: before, numIndexesAfter: coll.indexes.length, ok: 1 };
      }
      case "listindexes": {
        const coll = collection(db, collName, false);
        if (!coll) throw new CommandError(26, "NamespaceNotFound", `ns does not exist: ${db}.${collName}`);
        return cursorReply(`${db}.${collName}`, coll.indexes.map((i) => ({ v: 2, ...i })), undefined, true);
      }
      case "createsearchindexes": {
        if (!opts.search) throw new CommandError(115, "CommandNotSupported", "Search indexes are only available on Atlas");
        const coll = collection(db, collName, false);
        if (!coll) throw new CommandError(26, "NamespaceNotFound", `Collection '${db}.${collName}' does not exist.`);
        const created: Doc[] = [];
        for (const spec of body.indexes as Doc[]) {
          const name = (spec.name as string | undefined) ?? "default";
          if (coll.searchIndexes.some((i) => i.name === name)) throw new CommandError(68, "IndexAlreadyExists", `Index ${name} already exists.`);
          const ix: SearchIndex = { id: String(nextSearchIndex++), name, type: (spec.type as string | undefined) ?? "search", definition: spec.definition as Doc, readyAt: Date.now() + (opts.searchIndexBuildMs ?? 0) };
          coll.searchIndexes.push(ix);
          created.push({ id: ix.id, name });
        }
        return { indexesCreated: created, ok: 1 };
      }
      case "drop": {
        const removed = dbs.get(db)?.delete(collName);
        if (!removed) throw new CommandError(26, "NamespaceNotFound", "ns not found");
        return { ns: `${db}.${collName}`, nIndexesWas: 1, ok: 1 };
      }
      case "dropdatabase":
        dbs.delete(db);
        return { ok: 1 };
      default:
        throw new CommandError(59, "CommandNotFound", `no such command: '${name}'`);
    }
  }

  /** Deletes documents whose TTL-indexed date is past, as the server's TTL monitor does. */
  function runTtlMonitor(): number {
    let removed = 0;
    const now = Date.now();
    for (const d of dbs.values()) {
      for (const coll of d.values()) {
        for (const ix of coll.indexes) {
          if (ix.expireAfterSeconds === undefined) continue;
          const field = Object.keys(ix.key)[0] as string;
          for (const [key, doc] of coll.docs) {
            const at = getPath(doc, field);
            if (at instanceof Date && compareValues(at.getTime() + ix.expireAfterSeconds * 1000, now) <= 0) {
              coll.docs.delete(key);
              removed++;
            }
          }
        }
      }
    }
    return removed;
  }
  const ttl = setInterval(runTtlMonitor, opts.ttlMonitorMs ?? 60_000);
  ttl.unref();

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    const reader = new MessageReader();
    socket.on("data", (chunk: Buffer) => {
      for (const msg of reader.push(chunk)) {
        const cmd = decodeMessage(msg);
        const db = cmd.legacy ? "admin" : String(cmd.body.$db ?? "admin");
        let reply: Doc;
        try {
          reply = run(db, cmd.body);
        } catch (e) {
          if (!(e instanceof CommandError)) throw e;
          reply = { ok: 0, errmsg: e.message, code: e.code, codeName: e.codeName };
        }
        if (cmd.moreToCome) continue;
        socket.write(cmd.legacy ? encodeLegacyReply(cmd.header.requestId, reply) : encodeMsgReply(cmd.header.requestId, reply));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    commands,
    stagesSeen: () => ({ ...stages }),
    documents: (db, name) => [...(collection(db, name, false)?.docs.values() ?? [])].map(clone),
    runTtlMonitor,
    close: () =>
      new Promise<void>((resolve, reject) => {
        clearInterval(ttl);
        for (const s of sockets) s.destroy();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
