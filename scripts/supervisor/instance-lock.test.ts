import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireLock, describeHolder, judgeLock } from "./instance-lock.js";

const running = (pids: number[]) => (pid: number) => pids.includes(pid);
const lockOf = (pid: number) => JSON.stringify({ pid, startedAt: "2026-01-02T03:04:05.000Z" });

describe("judgeLock", () => {
  it("acquires when there is no lock", () => {
    expect(judgeLock(undefined, running([]), 10)).toEqual({ action: "acquire" });
  });

  it("refuses while the supervisor named in the lock runs", () => {
    expect(judgeLock(lockOf(42), running([42]), 10)).toEqual({
      action: "refuse",
      holder: { pid: 42, startedAt: "2026-01-02T03:04:05.000Z" },
    });
  });

  it("takes over a lock whose supervisor is gone", () => {
    expect(judgeLock(lockOf(42), running([]), 10)).toMatchObject({ action: "take_over", why: expect.stringContaining("pid 42") });
  });

  it("takes over a lock it cannot read", () => {
    expect(judgeLock("{half", running([42]), 10)).toMatchObject({ action: "take_over" });
    expect(judgeLock(JSON.stringify({ pid: "x" }), running([42]), 10)).toMatchObject({ action: "take_over" });
  });
});

describe("describeHolder", () => {
  it("names the pid and the start time", () => {
    const text = describeHolder({ pid: 42, startedAt: "2026-01-02T03:04:05.000Z" }, () => "2026-01-02 03:04:05");
    expect(text).toBe("Auto-DevOps is already running (pid 42, started at 2026-01-02 03:04:05).");
  });
});

describe("acquireLock", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "lock-test-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the pid and start time, and removes the file on release", async () => {
    const file = path.join(dir, "nested", "supervisor.lock");
    const held = await acquireLock(file, { pid: 10, now: new Date("2026-01-02T03:04:05Z"), isSupervisorRunning: running([]) });
    expect(held.ok).toBe(true);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ pid: 10, startedAt: "2026-01-02T03:04:05.000Z" });
    if (held.ok) await held.value.release();
    await expect(readFile(file, "utf8")).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses a second holder while the first runs and leaves its lock alone", async () => {
    const file = path.join(dir, "supervisor.lock");
    await acquireLock(file, { pid: 10, now: new Date(), isSupervisorRunning: running([]) });
    const second = await acquireLock(file, { pid: 11, now: new Date(), isSupervisorRunning: running([10]) });
    expect(second).toMatchObject({ ok: false, error: { holder: { pid: 10 } } });
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ pid: 10 });
  });

  it("takes over a stale lock and says why", async () => {
    const file = path.join(dir, "supervisor.lock");
    await writeFile(file, lockOf(42));
    const held = await acquireLock(file, { pid: 11, now: new Date(), isSupervisorRunning: running([]) });
    expect(held).toMatchObject({ ok: true, value: { tookOver: expect.stringContaining("pid 42") } });
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ pid: 11 });
  });

  it("does not remove a lock that another supervisor has taken since", async () => {
    const file = path.join(dir, "supervisor.lock");
    const held = await acquireLock(file, { pid: 10, now: new Date(), isSupervisorRunning: running([]) });
    await writeFile(file, lockOf(77));
    if (held.ok) await held.value.release();
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ pid: 77 });
  });
});
