import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { createLogger, type Logger } from "../logging/logger.js";
import type { BusEvent, TopicName } from "./event-bus.js";
import type { PeerConfig } from "./fixtures/bus-peer.js";
import { eventually } from "../testing/eventually.js";

/** Helpers for the bus tests; not exported from the package. */

export type LogLine = Record<string, unknown> & { level?: string; msg?: string };

/** A debug-level logger whose JSON lines are kept in memory for assertions. */
export function captureLog(service = "bus-test"): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      for (const line of chunk.toString().split("\n")) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  return { log: createLogger({ service, level: "debug", destination }), lines };
}

/** A channel prefix no other test run shares, so concurrent runs never see each other's messages. */
export function uniquePrefix(): string {
  return `t${randomBytes(4).toString("hex")}:`;
}

/** Polls `probe` until it returns a value, or fails naming `what`. */
export const waitFor = <T>(what: string, probe: () => T | undefined, timeoutMs = 5_000): Promise<T> => eventually(probe, what, timeoutMs, 10);

/** A handler that records what it receives. */
export function recorder<T extends TopicName>(): { events: BusEvent<T>[]; handler: (e: BusEvent<T>) => void } {
  const events: BusEvent<T>[] = [];
  return { events, handler: (e) => void events.push(e) };
}

export interface Peer {
  /** Every JSON line the child printed on stdout, in order. */
  lines: Record<string, unknown>[];
  /** Resolves with the child's exit code. */
  exited: Promise<number | null>;
  stderr(): string;
  stop(): Promise<void>;
}

const PEER_SCRIPT = fileURLToPath(new URL("./fixtures/bus-peer.ts", import.meta.url));

/** Runs the bus-peer fixture in its own Node process, loaded through tsx as the apps are in development. */
export function spawnPeer(config: PeerConfig): Peer {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", PEER_SCRIPT, JSON.stringify(config)], {
    cwd: fileURLToPath(new URL(".", import.meta.url)),
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  if (child.stdout) {
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    lines,
    exited,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
