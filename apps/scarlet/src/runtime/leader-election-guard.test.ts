import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { createLogger, type Action } from "@autodevops/shared";
import { createTestDatabase, type TestDatabase } from "@autodevops/shared/testing";
import { openScarletDatabase } from "../store/database.js";
import { LeaderGuardedActionStore, NotLeadingError } from "./leader-election-guard.js";

// The guard against the real action table: which clusters this replica leads is the only input.
let db: TestDatabase;
let pool: pg.Pool;
const led = new Set<string>();
let store: LeaderGuardedActionStore;
const rollback = (cluster: string): Action => ({ kind: "rollback", cluster, namespace: "shop", target: "catalog", params: {} });

beforeAll(async () => {
  db = await createTestDatabase();
  pool = await openScarletDatabase(db.url, createLogger({ service: "guard-test", level: "silent" }));
  store = new LeaderGuardedActionStore(pool, (cluster) => led.has(cluster));
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe("the leader-guarded action store", () => {
  it("refuses to move an action to executing on a cluster this replica does not lead, leaving it for the leader", async () => {
    await store.propose("act-inc-1-1", "inc-1", rollback("prod"), "scarlet", new Date());
    await store.transition("act-inc-1-1", ["proposed"], "approved");
    led.clear();
    await expect(store.transition("act-inc-1-1", ["proposed", "approved"], "executing")).rejects.toBeInstanceOf(NotLeadingError);
    expect((await store.get("act-inc-1-1"))?.status).toBe("approved");
  });

  it("lets exactly one executor through on a cluster it leads: the second finds the action taken", async () => {
    await store.propose("act-inc-2-1", "inc-2", rollback("staging"), "scarlet", new Date());
    led.add("staging");
    const [first, second] = await Promise.all([
      store.transition("act-inc-2-1", ["proposed", "approved"], "executing"),
      store.transition("act-inc-2-1", ["proposed", "approved"], "executing"),
    ]);
    expect([first, second].sort()).toEqual([false, true]);
    expect((await store.get("act-inc-2-1"))?.status).toBe("executing");
  });

  it("guards only the move to executing: recording outcomes and refusals needs no lease", async () => {
    await store.propose("act-inc-3-1", "inc-3", rollback("prod"), "scarlet", new Date());
    led.clear();
    expect(await store.transition("act-inc-3-1", ["proposed"], "rejected")).toBe(true);
    expect((await store.get("act-inc-3-1"))?.status).toBe("rejected");
  });
});
