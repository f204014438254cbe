import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { err, ok, type Result } from "../../packages/shared/src/core/result.js";

/**
 * One supervisor per data dir: `<DATA_DIR>/supervisor.lock` names the running one. A lock
 * whose process is gone (killed, machine rebooted) is taken over.
 */

/** The lock file's content. */
export const LockInfo = z.object({
  pid: z.number().int().positive(),
  startedAt: z.iso.datetime(),
});
export type LockInfo = z.infer<typeof LockInfo>;

/** What to do about the lock file found at start. */
export type LockVerdict =
  | { action: "acquire" }
  | { action: "take_over"; why: string }
  | { action: "refuse"; holder: LockInfo };

/** Decides what to do about an existing lock file's content (undefined: no file). */
export function judgeLock(content: string | undefined, isSupervisorRunning: (pid: number) => boolean, ownPid: number): LockVerdict {
  if (content === undefined) return { action: "acquire" };
  const parsed = parseLock(content);
  if (!parsed) return { action: "take_over", why: "the lock file is unreadable" };
  if (parsed.pid === ownPid) return { action: "take_over", why: "the lock already names this process" };
  if (isSupervisorRunning(parsed.pid)) return { action: "refuse", holder: parsed };
  return { action: "take_over", why: `the supervisor that wrote it (pid ${parsed.pid}) is gone` };
}

function parseLock(content: string): LockInfo | undefined {
  try {
    const parsed = LockInfo.safeParse(JSON.parse(content));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The refusal a second `npm start` prints. */
export function describeHolder(holder: LockInfo, clock: (at: Date) => string = localDateTime): string {
  return `Auto-DevOps is already running (pid ${holder.pid}, started at ${clock(new Date(holder.startedAt))}).`;
}

function localDateTime(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

export interface HeldLock {
  /** Why an old lock was replaced, when one was. */
  tookOver: string | undefined;
  /** Removes the lock if it is still ours. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  pid: number;
  now: Date;
  isSupervisorRunning: (pid: number) => boolean;
}

/**
 * Creates the lock file exclusively. It is written aside and hard-linked into place, so a reader
 * never sees it half-written. Two starts that both find the same stale lock can still race; the
 * window is a few milliseconds and needs two people starting at that very moment.
 */
export async function acquireLock(file: string, opts: AcquireOptions): Promise<Result<HeldLock, { holder: LockInfo }>> {
  await mkdir(path.dirname(file), { recursive: true });
  const mine = JSON.stringify({ pid: opts.pid, startedAt: opts.now.toISOString() } satisfies LockInfo);
  let tookOver: string | undefined;
  const draft = `${file}.${opts.pid}.tmp`;
  await writeFile(draft, `${mine}\n`, { mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await linkExclusive(draft, file)) return ok({ tookOver, release: () => releaseIfOurs(file, opts.pid) });
      const verdict = judgeLock(await readIfExists(file), opts.isSupervisorRunning, opts.pid);
      if (verdict.action === "refuse") return err({ holder: verdict.holder });
      if (verdict.action === "take_over") {
        tookOver = verdict.why;
        await unlink(file).catch(ignoreMissing);
      }
    }
  } finally {
    await unlink(draft).catch(ignoreMissing);
  }
  throw new Error(`could not create ${file}: it keeps reappearing`);
}

async function linkExclusive(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

async function releaseIfOurs(file: string, pid: number): Promise<void> {
  const content = await readIfExists(file);
  if (content !== undefined && parseLock(content)?.pid === pid) await unlink(file).catch(ignoreMissing);
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    ignoreMissing(e);
    return undefined;
  }
}

function ignoreMissing(e: unknown): void {
  if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
}
