import type { MemoryKind } from "./types.js";

const KIND_BIT: Record<MemoryKind, number> = { conversation: 1, incident: 2, feedback: 4 };
const SHARED = 0;

export interface IndexEntry {
  id: string;
  kind: MemoryKind;
  userId: string | null;
  /** Epoch ms, or Infinity for never. */
  expiresAtMs: number;
  /** Unit length, `dimensions` long. */
  vector: Float32Array;
}

export interface SearchFilter {
  userId: string | null;
  kinds: MemoryKind[] | undefined;
  limit: number;
  minScore: number;
  nowMs: number;
}

/**
 * Exact cosine search over unit vectors held in memory. Vectors are stored dimension-major
 * (all records' value for dimension 0, then dimension 1, ...), so scoring walks one contiguous
 * column per non-zero query dimension: the hashed n-gram embeddings have a few dozen non-zero
 * dimensions of 384, which makes a search over 100k records a few million multiply-adds.
 * Deleted slots are reused. Pure: no I/O, no clock.
 */
export class VectorIndex {
  #capacity = 0;
  #size = 0;
  #columns = new Float32Array(0);
  #ids: Array<string | undefined> = [];
  #kinds = new Uint8Array(0);
  #users = new Int32Array(0);
  #expires = new Float64Array(0);
  #scores = new Float32Array(0);
  readonly #slots = new Map<string, number>();
  readonly #free: number[] = [];
  /** User ids interned to small numbers; 0 is "shared". */
  readonly #userNumbers = new Map<string, number>();

  constructor(readonly dimensions: number) {}

  get count(): number {
    return this.#slots.size;
  }

  has(id: string): boolean {
    return this.#slots.has(id);
  }

  #grow(): void {
    const cap = Math.max(1024, this.#capacity * 2);
    const columns = new Float32Array(cap * this.dimensions);
    for (let d = 0; d < this.dimensions; d++) {
      columns.set(this.#columns.subarray(d * this.#capacity, d * this.#capacity + this.#size), d * cap);
    }
    this.#columns = columns;
    const kinds = new Uint8Array(cap);
    kinds.set(this.#kinds);
    this.#kinds = kinds;
    const users = new Int32Array(cap);
    users.set(this.#users);
    this.#users = users;
    const expires = new Float64Array(cap);
    expires.set(this.#expires);
    this.#expires = expires;
    this.#scores = new Float32Array(cap);
    this.#capacity = cap;
  }

  #userNumber(userId: string | null, create: boolean): number {
    if (userId === null) return SHARED;
    let n = this.#userNumbers.get(userId);
    if (n === undefined && create) this.#userNumbers.set(userId, (n = this.#userNumbers.size + 1));
    return n ?? -1;
  }

  /** Adds or replaces the entry with this id. */
  upsert(e: IndexEntry): void {
    if (e.vector.length !== this.dimensions) throw new Error(`vector of ${e.vector.length} dimensions in an index of ${this.dimensions}`);
    let slot = this.#slots.get(e.id);
    const fresh = slot === undefined;
    if (slot === undefined) {
      slot = this.#free.pop();
      if (slot === undefined) {
        if (this.#size === this.#capacity) this.#grow();
        slot = this.#size++;
      }
      this.#slots.set(e.id, slot);
    }
    this.#ids[slot] = e.id;
    this.#kinds[slot] = KIND_BIT[e.kind];
    this.#users[slot] = this.#userNumber(e.userId, true);
    this.#expires[slot] = e.expiresAtMs;
    const cap = this.#capacity;
    const v = e.vector;
    const cols = this.#columns;
    // A fresh slot is all zeros (removal clears it): writing only the non-zero dimensions of a
    // sparse vector saves most of the cache misses of this column-strided write.
    for (let d = 0; d < this.dimensions; d++) {
      const x = v[d] as number;
      if (x !== 0 || !fresh) cols[d * cap + slot] = x;
    }
  }

  remove(id: string): boolean {
    const slot = this.#slots.get(id);
    if (slot === undefined) return false;
    this.#slots.delete(id);
    this.#ids[slot] = undefined;
    this.#kinds[slot] = 0; // kind 0 matches no filter: the slot is dead until reused
    const cap = this.#capacity;
    for (let d = 0; d < this.dimensions; d++) this.#columns[d * cap + slot] = 0;
    this.#free.push(slot);
    return true;
  }

  /** Ids of the entries whose user is this one. */
  idsOfUser(userId: string): string[] {
    const n = this.#userNumber(userId, false);
    if (n < 0) return [];
    const out: string[] = [];
    for (const [id, slot] of this.#slots) if (this.#users[slot] === n) out.push(id);
    return out;
  }

  /** The best `limit` entries this user may see, best first; ties go to the older slot. */
  search(query: Float32Array, f: SearchFilter): Array<{ id: string; score: number }> {
    const n = this.#size;
    const cap = this.#capacity;
    const scores = this.#scores;
    scores.fill(0, 0, n);
    const cols = this.#columns;
    for (let d = 0; d < this.dimensions; d++) {
      const q = query[d] as number;
      if (q === 0) continue;
      const base = d * cap;
      for (let i = 0; i < n; i++) scores[i]! += q * (cols[base + i] as number);
    }
    const mask = f.kinds ? f.kinds.reduce((m, k) => m | KIND_BIT[k], 0) : 7;
    const user = this.#userNumber(f.userId, false);
    const kinds = this.#kinds;
    const users = this.#users;
    const expires = this.#expires;
    const heap = new TopK(f.limit);
    for (let i = 0; i < n; i++) {
      const s = scores[i] as number;
      if (s < f.minScore || s <= heap.floor || (kinds[i]! & mask) === 0) continue;
      const u = users[i] as number;
      if (u !== SHARED && u !== user) continue;
      if (expires[i]! <= f.nowMs) continue;
      heap.offer(i, s);
    }
    return heap.sorted().map(({ slot, score }) => ({ id: this.#ids[slot] as string, score }));
  }
}

/** A bounded min-heap keeping the k highest scores seen. */
class TopK {
  readonly #slots: number[] = [];
  readonly #scores: number[] = [];
  constructor(readonly k: number) {}

  /** A score must beat this to enter; -Infinity until k are held. */
  get floor(): number {
    return this.#scores.length < this.k ? -Infinity : (this.#scores[0] as number);
  }

  offer(slot: number, score: number): void {
    const s = this.#scores;
    if (s.length < this.k) {
      s.push(score);
      this.#slots.push(slot);
      this.#up(s.length - 1);
    } else if (score > (s[0] as number)) {
      s[0] = score;
      this.#slots[0] = slot;
      this.#down(0);
    }
  }

  sorted(): Array<{ slot: number; score: number }> {
    return this.#slots.map((slot, i) => ({ slot, score: this.#scores[i] as number })).sort((a, b) => b.score - a.score || a.slot - b.slot);
  }

  #swap(a: number, b: number): void {
    [this.#scores[a], this.#scores[b]] = [this.#scores[b] as number, this.#scores[a] as number];
    [this.#slots[a], this.#slots[b]] = [this.#slots[b] as number, this.#slots[a] as number];
  }

  #up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((this.#scores[p] as number) <= (this.#scores[i] as number)) return;
      this.#swap(i, p);
      i = p;
    }
  }

  #down(i: number): void {
    const n = this.#scores.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && (this.#scores[l] as number) < (this.#scores[m] as number)) m = l;
      if (r < n && (this.#scores[r] as number) < (this.#scores[m] as number)) m = r;
      if (m === i) return;
      this.#swap(i, m);
      i = m;
    }
  }
}
