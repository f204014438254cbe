import { describe, expect, it } from "vitest";
import { createLogger } from "../../packages/shared/src/logging/logger.js";
import { ok } from "../../packages/shared/src/core/result.js";
import type { ComponentSpec } from "./components.js";
import { startProcess, type ManagedProcess } from "./process-runner.js";
import { isProcessAlive } from "./processes.js";
import { supervise, type Outcome } from "./supervisor.js";

// Real child processes (small `node -e` programs) stand in for components: what is under test
// is how they are started, watched and stopped.

const SERVICE = "process.on('SIGTERM', () => { console.log('bye'); process.exit(0); }); console.log('up'); setInterval(() => {}, 1000);";
const log = createLogger({ service: "test", level: "silent" });

function spec(name: ComponentSpec["name"], kind: ComponentSpec["kind"] = "service"): ComponentSpec {
  return { name, kind, summary: name, entry: `${name}.ts`, needs: [], probe: { kind: "exit" }, readyWithinMs: 5_000, watchesSupervisor: false };
}

function launcher(programs: Record<string, string>, events: string[]) {
  const procs = new Map<string, ManagedProcess>();
  const launch = (s: ComponentSpec) => {
    const proc = startProcess({
      name: s.name,
      command: process.execPath,
      args: ["-e", programs[s.name] ?? SERVICE],
      cwd: process.cwd(),
      env: process.env,
      stdin: "ignore",
      onLine: (line) => events.push(`${s.name}: ${line}`),
    });
    procs.set(s.name, proc);
    void proc.exited.then(() => events.push(`${s.name} exited`));
    return proc;
  };
  return { launch, procs };
}

/** Services are ready once they print "up"; tasks once they exit 0. */
async function ready(s: ComponentSpec, proc: ManagedProcess) {
  if (s.kind === "task") return (await proc.exited).code === 0 ? ok(undefined) : { ok: false as const, error: "failed" };
  while (!proc.lastLines().includes("up")) await new Promise((r) => setTimeout(r, 20));
  return ok(undefined);
}

describe("supervise", () => {
  it("starts components in order and stops them in reverse on a stop request", async () => {
    const events: string[] = [];
    const { launch, procs } = launcher({ migrate: "console.log('migrated')" }, events);
    let requestStop: (signal: string) => void = () => undefined;
    const outcome = await supervise({
      components: [spec("postgres"), spec("migrate", "task"), spec("sandbox")],
      launch,
      waitUntilReady: ready,
      stopRequested: new Promise((resolve) => (requestStop = resolve)),
      onAllReady: () => {
        events.push("all ready");
        requestStop("SIGINT");
      },
      onOutcome: () => undefined,
      stopWithinMs: 5_000,
      log,
    });
    expect(outcome).toEqual({ kind: "stopped", signal: "SIGINT" });
    const order = events.filter((e) => e.endsWith("exited") || e === "all ready");
    expect(order).toEqual(["migrate exited", "all ready", "sandbox exited", "postgres exited"]);
    expect([...procs.values()].every((p) => p.pid !== undefined && !isProcessAlive(p.pid))).toBe(true);
  });

  it("names the service that died, with its exit code and last lines, and stops the others", async () => {
    const events: string[] = [];
    const { launch, procs } = launcher({ sandbox: "console.log('up'); console.error('out of memory'); setTimeout(() => process.exit(3), 200);" }, events);
    const outcomes: Outcome[] = [];
    const outcome = await supervise({
      components: [spec("postgres"), spec("sandbox")],
      launch,
      waitUntilReady: ready,
      stopRequested: new Promise(() => undefined),
      onAllReady: () => undefined,
      onOutcome: (o) => outcomes.push(o),
      stopWithinMs: 5_000,
      log,
    });
    expect(outcome).toMatchObject({ kind: "died", name: "sandbox", exit: { code: 3 }, lastLines: ["up", "out of memory"] });
    expect(outcomes).toEqual([outcome]);
    const postgres = procs.get("postgres");
    expect(postgres?.exit()).toEqual({ code: 0, signal: null });
  });

  it("stops at a component that does not become ready and does not start the rest", async () => {
    const events: string[] = [];
    const { launch, procs } = launcher({ migrate: "console.error('relation missing'); process.exit(1)" }, events);
    const outcome = await supervise({
      components: [spec("postgres"), spec("migrate", "task"), spec("sandbox")],
      launch,
      waitUntilReady: ready,
      stopRequested: new Promise(() => undefined),
      onAllReady: () => events.push("all ready"),
      onOutcome: () => undefined,
      stopWithinMs: 5_000,
      log,
    });
    expect(outcome).toMatchObject({ kind: "not_ready", name: "migrate", reason: "failed", lastLines: ["relation missing"] });
    expect(procs.has("sandbox")).toBe(false);
    expect(events).not.toContain("all ready");
  });
});

describe("startProcess", () => {
  it("kills a process that ignores SIGTERM once the deadline passes", async () => {
    const proc = startProcess({
      name: "stubborn",
      command: process.execPath,
      args: ["-e", "process.on('SIGTERM', () => console.log('no')); console.log('up'); setInterval(() => {}, 1000);"],
      cwd: process.cwd(),
      env: process.env,
      stdin: "ignore",
      onLine: () => undefined,
    });
    while (!proc.lastLines().includes("up")) await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    expect(await proc.stop(500)).toEqual({ forced: true });
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(proc.exit()).toEqual({ code: null, signal: "SIGKILL" });
  });

  it("also stops what a component left running in its process group", async () => {
    // A wrapper that starts a server of its own and exits on SIGTERM without stopping it.
    const program = `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log(String(c.pid));
      process.on('SIGTERM', () => process.exit(0));
      setInterval(() => {}, 1000);`;
    const proc = startProcess({ name: "wrapper", command: process.execPath, args: ["-e", program], cwd: process.cwd(), env: process.env, stdin: "ignore", onLine: () => undefined });
    while (proc.lastLines().length === 0) await new Promise((r) => setTimeout(r, 20));
    const grandchild = Number(proc.lastLines()[0]);
    expect(isProcessAlive(grandchild)).toBe(true);
    await proc.stop(2_000);
    expect(isProcessAlive(grandchild)).toBe(false);
  });

  it("reports a command that cannot be started", async () => {
    const proc = startProcess({ name: "ghost", command: "/nonexistent/binary", args: [], cwd: process.cwd(), env: process.env, stdin: "ignore", onLine: () => undefined });
    expect(await proc.exited).toMatchObject({ code: null, signal: null, error: expect.stringContaining("ENOENT") });
  });
});
