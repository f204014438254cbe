import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/**
 * Questions about other processes. Linux answers them through /proc; elsewhere the answers
 * fall back to what `kill(pid, 0)` can tell.
 */

/** True when the process exists and is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  // Where init never reaps orphans (containers), a dead orphan stays a zombie: dead to us.
  const state = procState(pid);
  return state === undefined || state !== "Z";
}

/** The command line, space-separated, or undefined when unknown. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  } catch {
    return undefined;
  }
}

/** Live (non-zombie) processes in a process group. */
export function liveGroupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const entry of entries) {
    const fields = procStatFields(Number(entry));
    // After the command name: state, ppid, pgrp.
    if (fields && fields[2] === String(pgid) && fields[0] !== "Z") members.push(Number(entry));
  }
  return members;
}

/** Sends a signal to every process of a group; a group already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
}

/** Sends a signal to one process; a process already gone is not an error. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
}

/** Which process listens on a TCP port, as "pid N (command)", when /proc can tell. */
export function describePortHolder(port: number): string | undefined {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const row of text.split("\n").slice(1)) {
      const cols = row.trim().split(/\s+/);
      const local = cols[1];
      // State 0A is LISTEN; the port is the hex after the last colon of the local address.
      if (local && cols[3] === "0A" && Number.parseInt(local.slice(local.lastIndexOf(":") + 1), 16) === port && cols[9]) {
        inodes.add(`socket:[${cols[9]}]`);
      }
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of safeReaddir("/proc").filter((e) => /^\d+$/.test(e))) {
    for (const fd of safeReaddir(`/proc/${pid}/fd`)) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (inodes.has(target)) {
        const cmd = commandLine(Number(pid));
        return cmd ? `pid ${pid} (${cmd.length > 100 ? `${cmd.slice(0, 97)}...` : cmd})` : `pid ${pid}`;
      }
    }
  }
  return undefined;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function procStatFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses; the fields after it do not.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

function procState(pid: number): string | undefined {
  return procStatFields(pid)?.[0];
}
