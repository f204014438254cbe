import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_TEXT_CHARS, MemoryError, type RecallHit, type VectorMemory } from "./types.js";

/**
 * The behaviour every VectorMemory backend must show, run once per backend. `open` returns a
 * memory over an empty store; the suite closes it after each test. Test support, not shipped code.
 */
export function describeMemoryContract(name: string, open: () => Promise<VectorMemory>): void {
  describe(`vector memory contract: ${name}`, () => {
    let memory: VectorMemory | undefined;
    const fresh = async () => (memory = await open());
    afterEach(async () => {
      await memory?.close();
      memory = undefined;
    });
    const ids = (hits: RecallHit[]) => hits.map((h) => h.record.id);

    it("recalls the relevant memory first, with its fields as stored", async () => {
      const m = await fresh();
      await m.remember({ id: "inc-cart", kind: "incident", text: "cart pods crash looping after the 14:02 deploy; rolled back", metadata: { incidentId: "i-1", status: "resolved", restarts: 3, rolledBack: true } });
      await m.remember({ id: "inc-disk", kind: "incident", text: "disk full on node-3, log volume rotated" });
      await m.remember({ id: "inc-latency", kind: "incident", text: "payments p99 latency high during the sale" });
      await m.remember({ id: "talk", kind: "conversation", userId: "alice", text: "alice asked for the on-call rota" });

      const hits = await m.recall("crashloop in cart", { userId: "alice" });
      expect(hits[0]?.record.id).toBe("inc-cart");
      const top = hits[0] as RecallHit;
      expect(top.score).toBeGreaterThan(0.2);
      expect(top.score).toBeLessThanOrEqual(1.0001);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
      expect(top.record).toMatchObject({ kind: "incident", userId: null, expiresAt: null, metadata: { incidentId: "i-1", status: "resolved", restarts: 3, rolledBack: true } });
      expect(top.record.createdAt).toBeInstanceOf(Date);
      expect(Date.now() - top.record.createdAt.getTime()).toBeLessThan(60_000);
    });

    it("never shows one user's memories to another; both see the shared ones", async () => {
      const m = await fresh();
      await m.remember({ id: "a", kind: "conversation", userId: "alice", text: "my favourite dashboard is the latency overview" });
      await m.remember({ id: "b", kind: "conversation", userId: "bob", text: "my favourite dashboard is the error budget board" });
      await m.remember({ id: "s", kind: "conversation", userId: null, text: "the team dashboard is the grafana home board" });
      const opts = { limit: 10, minScore: -1 };

      expect(ids(await m.recall("favourite dashboard", { userId: "alice", ...opts })).sort()).toEqual(["a", "s"]);
      expect(ids(await m.recall("favourite dashboard", { userId: "bob", ...opts })).sort()).toEqual(["b", "s"]);
      expect(ids(await m.recall("favourite dashboard", { userId: null, ...opts }))).toEqual(["s"]);
      expect(ids(await m.recall("favourite dashboard", { userId: "carol", ...opts }))).toEqual(["s"]);
    });

    it("recalls only the kinds asked for", async () => {
      const m = await fresh();
      await m.remember({ id: "c", kind: "conversation", userId: "alice", text: "restart the checkout deployment" });
      await m.remember({ id: "f", kind: "feedback", userId: "alice", text: "restart the checkout deployment was the wrong advice" });
      await m.remember({ id: "i", kind: "incident", text: "checkout deployment restarted by scarlet" });

      expect(ids(await m.recall("restart checkout", { userId: "alice", kinds: ["feedback"] }))).toEqual(["f"]);
      expect(ids(await m.recall("restart checkout", { userId: "alice", kinds: ["incident", "conversation"], limit: 10 })).sort()).toEqual(["c", "i"]);
    });

    it("returns at most `limit` hits and none below `minScore`", async () => {
      const m = await fresh();
      for (let i = 0; i < 6; i++) await m.remember({ id: `r${i}`, kind: "incident", text: `orders service timeout number ${i} talking to postgres` });
      await m.remember({ id: "other", kind: "incident", text: "certificate expired on the ingress" });

      expect(await m.recall("orders service timeout", { userId: null, limit: 2 })).toHaveLength(2);
      const all = await m.recall("orders service timeout", { userId: null, limit: 20, minScore: -1 });
      expect(all).toHaveLength(7);
      const exact = await m.recall("certificate expired on the ingress", { userId: null, limit: 20, minScore: 0.99 });
      expect(ids(exact)).toEqual(["other"]);
      expect(exact[0]!.score).toBeGreaterThan(0.99);
      expect(await m.recall("completely unrelated zebra giraffe", { userId: null, minScore: 0.5 })).toEqual([]);
    });

    it("keeps one record per id: remembering it again replaces the text", async () => {
      const m = await fresh();
      const first = await m.remember({ id: "incident:42", kind: "incident", text: "cart crash looping, cause unknown", metadata: { status: "escalated" } });
      expect(first.id).toBe("incident:42");
      await m.remember({ id: "incident:42", kind: "incident", text: "cart crash looping, fixed by rollback", metadata: { status: "resolved" } });

      const hits = await m.recall("cart crash looping", { userId: null, limit: 10, minScore: -1 });
      expect(ids(hits)).toEqual(["incident:42"]);
      expect(hits[0]!.record.text).toBe("cart crash looping, fixed by rollback");
      expect(hits[0]!.record.metadata).toEqual({ status: "resolved" });
    });

    it("gives every record its own id when none is given", async () => {
      const m = await fresh();
      const a = await m.remember({ kind: "feedback", userId: "alice", text: "good answer about the queue depth" });
      const b = await m.remember({ kind: "feedback", userId: "alice", text: "good answer about the queue depth" });
      expect(a.id).not.toBe(b.id);
      expect(ids(await m.recall("queue depth", { userId: "alice", limit: 10 })).sort()).toEqual([a.id, b.id].sort());
    });

    it("forgets one record, then a user's records, leaving the rest", async () => {
      const m = await fresh();
      await m.remember({ id: "a1", kind: "conversation", userId: "alice", text: "alice deploys the billing service on fridays" });
      await m.remember({ id: "a2", kind: "feedback", userId: "alice", text: "alice liked the billing service runbook" });
      await m.remember({ id: "a3", kind: "conversation", userId: "alice", text: "alice owns the billing service alerts" });
      await m.remember({ id: "b1", kind: "conversation", userId: "bob", text: "bob deploys the billing service on mondays" });
      await m.remember({ id: "s1", kind: "incident", text: "billing service outage last march" });
      const opts = { limit: 10, minScore: -1 };

      expect(await m.forget("a1")).toBe(true);
      expect(await m.forget("a1")).toBe(false);
      expect(ids(await m.recall("billing service", { userId: "alice", ...opts })).sort()).toEqual(["a2", "a3", "s1"]);

      expect(await m.forgetUser("alice")).toBe(2);
      expect(await m.forgetUser("alice")).toBe(0);
      expect(ids(await m.recall("billing service", { userId: "alice", ...opts }))).toEqual(["s1"]);
      expect(ids(await m.recall("billing service", { userId: "bob", ...opts })).sort()).toEqual(["b1", "s1"]);
    });

    it("never recalls a record past its time to live", async () => {
      const m = await fresh();
      const before = Date.now();
      const short = await m.remember({ id: "short", kind: "conversation", userId: "alice", text: "temporary note about the redis failover", ttlMs: 150 });
      await m.remember({ id: "long", kind: "conversation", userId: "alice", text: "lasting note about the redis failover", ttlMs: 3_600_000 });
      expect(short.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 150);
      expect(ids(await m.recall("redis failover note", { userId: "alice", limit: 10 })).sort()).toEqual(["long", "short"]);

      await sleep(250);
      const hits = await m.recall("redis failover note", { userId: "alice", limit: 10 });
      expect(ids(hits)).toEqual(["long"]);
      expect(hits[0]!.record.expiresAt).toBeInstanceOf(Date);
    });

    it("rejects bad input with a clear error and stores nothing", async () => {
      const m = await fresh();
      const bad: Array<[unknown, RegExp]> = [
        [{ kind: "incident", text: "" }, /text: text is empty/],
        [{ kind: "incident", text: "   \n" }, /text is empty/],
        [{ kind: "incident", text: "x".repeat(MAX_TEXT_CHARS + 1) }, /longer than/],
        [{ kind: "gossip", text: "cart is down" }, /kind/],
        [{ kind: "incident", text: "cart is down", metadata: { nested: { a: 1 } } }, /metadata\.nested/],
        [{ kind: "incident", text: "cart is down", userId: "" }, /userId/],
        [{ kind: "incident", text: "cart is down", ttlMs: -5 }, /ttlMs/],
      ];
      for (const [input, message] of bad) {
        const error = await m.remember(input as never).then(() => undefined, (e: unknown) => e);
        expect(error, JSON.stringify(input).slice(0, 80)).toBeInstanceOf(MemoryError);
        expect((error as MemoryError).code).toBe("invalid_input");
        expect((error as MemoryError).message).toMatch(message);
      }
      await expect(m.recall("  ", { userId: null })).rejects.toThrow(/query is empty/);
      await expect(m.recall("cart", { userId: null, limit: 0 })).rejects.toThrow(/limit/);
      await expect(m.forget("")).rejects.toThrow(/memory id/);
      expect(await m.recall("cart is down", { userId: null, limit: 10, minScore: -1 })).toEqual([]);
    });
  });
}
