import type { LogLine } from "../runtime/container-logs.js";
import { simMs } from "../sim-time.js";
import { goDuration, pullBackoffSeconds, restartBackoffSeconds, MAX_BACKOFF_SECONDS } from "./backoff.js";
import type { ContainerBehaviour, ContainerContext, ContainerExit, ProbeKind, RunningContext } from "./container-behaviour.js";
import { imageId, mustPull } from "./image-ref.js";
import { timestamp, type Container, type Probe, type TerminatedState } from "./kube-shapes.js";

/**
 * One container's life on the simulated kubelet, as a state machine the kubelet steps on each
 * sync: pull (or find the image present), create and start, run with probes, exit and restart
 * with back-off, stop on deletion. The kubelet turns its events and log lines into Events and
 * ContainerLogs, and its state into the container's status.
 */

export type Stage = "pull" | "pulling" | "pull-backoff" | "create" | "running" | "exited" | "crash-backoff" | "stopping" | "done";

type ProbeRun = { nextAt: number; successes: number; failures: number };

export type ContainerRun = {
  name: string;
  stage: Stage;
  /** When the stage's next step is due (epoch ms). */
  dueAt: number;
  waiting?: { reason: string; message?: string };
  /** Start of the current run (epoch ms). */
  startedAt?: number;
  terminated?: TerminatedState;
  lastTerminated?: TerminatedState;
  restartCount: number;
  containerID?: string;
  imageID: string;
  /** Exits in a row, for the restart back-off; reset after a long quiet spell. */
  exits: number;
  lastExitAt?: number;
  restartAt?: number;
  pullFailures: number;
  pullBackoffUntil?: number;
  pullSeconds?: number;
  started: boolean;
  readinessPassed: boolean;
  probes: Partial<Record<ProbeKind, ProbeRun>>;
  logsUntil: number;
  firstLogs: boolean;
  stop?: { exitCode: number; reason: string };
};

export type ContainerEvent = { type: "Normal" | "Warning"; reason: string; message: string };

export type StepEnv = {
  now: number;
  /** The container as the behaviour hook sees it (its `now` and `restartCount` are filled in here). */
  ctx: Omit<ContainerContext, "now" | "restartCount">;
  behaviour: ContainerBehaviour;
  restartPolicy: "Always" | "OnFailure" | "Never";
  /** `name_namespace(uid)`, as kubelet messages name a pod. */
  podRef: string;
  imagePresent: boolean;
  /** The CreateContainerConfigError message, if the container's env cannot be built. */
  configProblem: () => string | undefined;
  random: () => number;
};

export type StepResult = {
  changed: boolean;
  events: ContainerEvent[];
  logs: LogLine[];
  /** The image is now on the node. */
  pulled: boolean;
  /** A new run began after a restart: the kubelet rotates the container's log. */
  restarted: boolean;
};

/** How long a passing state (an exit, a failed pull) shows before the next one: one kubelet sync. */
const SHOW_MS = simMs(2);
/** How often a container whose config is broken is tried again (the kubelet's pod resync). */
const RETRY_CREATE_MS = simMs(10);
/** A back-off entry is forgotten when its container has run this long without trouble. */
const BACKOFF_RESET_MS = simMs(2 * MAX_BACKOFF_SECONDS);

export function newContainerRun(name: string, now: number): ContainerRun {
  return {
    name,
    stage: "pull",
    dueAt: now,
    waiting: { reason: "ContainerCreating" },
    restartCount: 0,
    imageID: "",
    exits: 0,
    pullFailures: 0,
    started: false,
    readinessPassed: false,
    probes: {},
    logsUntil: now,
    firstLogs: true,
  };
}

export function initProbes(run: ContainerRun, c: Container, start: number, opts: { firstAt?: number } = {}): void {
  run.probes = {};
  const kinds: [ProbeKind, Probe | undefined][] = [
    ["startup", c.startupProbe],
    ["liveness", c.livenessProbe],
    ["readiness", c.readinessProbe],
  ];
  for (const [kind, probe] of kinds) {
    if (probe) run.probes[kind] = { nextAt: opts.firstAt ?? start + simMs(probe.initialDelaySeconds ?? 0), successes: 0, failures: 0 };
  }
}

const ref = (c: Container) => c.image ?? "";

/** Advances a container as far as `env.now` allows. */
export function stepContainer(run: ContainerRun, env: StepEnv): StepResult {
  const out: StepResult = { changed: false, events: [], logs: [], pulled: false, restarted: false };
  for (let guard = 0; guard < 8; guard++) {
    if (run.stage === "running") {
      runningStep(run, env, out);
      break;
    }
    if (run.stage === "done" || run.dueAt > env.now) break;
    advance(run, env, out);
  }
  return out;
}

function context(run: ContainerRun, env: StepEnv): ContainerContext {
  return { ...env.ctx, now: new Date(env.now), restartCount: run.restartCount };
}

function runningContext(run: ContainerRun, env: StepEnv): RunningContext {
  return { ...context(run, env), startedAt: new Date(run.startedAt ?? env.now) };
}

function advance(run: ContainerRun, env: StepEnv, out: StepResult): void {
  const c = env.ctx.container;
  const image = ref(c);
  const now = env.now;
  const changedBefore = out.changed;
  out.changed = true;
  switch (run.stage) {
    case "pull": {
      if (!mustPull(image, c.imagePullPolicy, env.imagePresent)) {
        out.events.push({ type: "Normal", reason: "Pulled", message: `Container image "${image}" already present on machine` });
        run.imageID = imageId(image);
        run.stage = "create";
        run.dueAt = now;
        return;
      }
      out.events.push({ type: "Normal", reason: "Pulling", message: `Pulling image "${image}"` });
      // A pull takes a second or a few of cluster time.
      run.pullSeconds = Math.round((1 + env.random() * 3) * 1000) / 1000;
      run.stage = "pulling";
      run.dueAt = now + simMs(run.pullSeconds);
      return;
    }
    case "pulling": {
      const pulled = env.behaviour.pullImage(context(run, env));
      if (pulled.ok) {
        const took = `${run.pullSeconds ?? 1}s`;
        const size = pulled.sizeBytes !== undefined ? ` Image size: ${pulled.sizeBytes} bytes.` : "";
        out.events.push({ type: "Normal", reason: "Pulled", message: `Successfully pulled image "${image}" in ${took} (${took} including waiting).${size}` });
        out.pulled = true;
        run.imageID = imageId(image);
        run.pullFailures = 0;
        run.stage = "create";
        run.dueAt = now;
        return;
      }
      run.pullFailures += 1;
      out.events.push({ type: "Warning", reason: "Failed", message: `Failed to pull image "${image}": ${pulled.message}` });
      out.events.push({ type: "Warning", reason: "Failed", message: "Error: ErrImagePull" });
      run.waiting = { reason: "ErrImagePull", message: pulled.message };
      run.pullBackoffUntil = now + simMs(pullBackoffSeconds(run.pullFailures));
      run.stage = "pull-backoff";
      run.dueAt = now + SHOW_MS;
      return;
    }
    case "pull-backoff": {
      if (run.waiting?.reason === "ErrImagePull") {
        run.waiting = { reason: "ImagePullBackOff", message: `Back-off pulling image "${image}"` };
        out.events.push({ type: "Normal", reason: "BackOff", message: `Back-off pulling image "${image}"` });
        out.events.push({ type: "Warning", reason: "Failed", message: "Error: ImagePullBackOff" });
        run.dueAt = Math.max(now, run.pullBackoffUntil ?? now);
        return;
      }
      run.stage = "pull";
      run.dueAt = now;
      return;
    }
    case "create": {
      const problem = env.configProblem();
      const created = problem ? { ok: false as const, reason: "CreateContainerConfigError", message: problem } : env.behaviour.createContainer(context(run, env));
      if (!created.ok) {
        const same = run.waiting?.reason === created.reason && run.waiting.message === created.message;
        run.waiting = { reason: created.reason, message: created.message };
        out.events.push({ type: "Warning", reason: "Failed", message: `Error: ${created.message}` });
        // Trying again with the same error changes nothing the status shows.
        out.changed = changedBefore || !same;
        run.dueAt = now + RETRY_CREATE_MS;
        return;
      }
      run.containerID = `containerd://${hex(64, env.random)}`;
      out.events.push({ type: "Normal", reason: "Created", message: `Created container ${c.name}` });
      out.events.push({ type: "Normal", reason: "Started", message: `Started container ${c.name}` });
      run.stage = "running";
      delete run.waiting;
      delete run.terminated;
      run.startedAt = now;
      run.started = !c.startupProbe;
      run.readinessPassed = false;
      run.logsUntil = now;
      run.firstLogs = true;
      initProbes(run, c, now);
      return;
    }
    case "exited": {
      if (run.restartAt === undefined) {
        run.stage = "done";
        return;
      }
      if (run.restartAt > now) {
        const wait = restartBackoffSeconds(run.exits);
        run.lastTerminated = run.terminated ?? run.lastTerminated;
        delete run.terminated;
        run.waiting = {
          reason: "CrashLoopBackOff",
          message: `back-off ${goDuration(wait)} restarting failed container=${c.name} pod=${env.podRef}`,
        };
        out.events.push({ type: "Warning", reason: "BackOff", message: `Back-off restarting failed container ${c.name} in pod ${env.podRef}` });
        run.stage = "crash-backoff";
        run.dueAt = run.restartAt;
        return;
      }
      restart(run, now, out);
      return;
    }
    case "crash-backoff":
      restart(run, now, out);
      return;
    case "stopping": {
      finish(run, run.stop ?? { exitCode: 0, reason: "Completed" }, now);
      return;
    }
    case "running":
    case "done":
      return;
  }
}

function restart(run: ContainerRun, now: number, out: StepResult): void {
  run.lastTerminated = run.terminated ?? run.lastTerminated;
  delete run.terminated;
  run.restartCount += 1;
  out.restarted = true;
  run.stage = "pull";
  run.dueAt = now;
}

function runningStep(run: ContainerRun, env: StepEnv, out: StepResult): void {
  const c = env.ctx.container;
  const now = env.now;
  const rctx = runningContext(run, env);
  // What the process wrote comes before how it ended, so a run that dies at once still leaves
  // its startup lines (and its last words) for `kubectl logs --previous`.
  if (now > run.logsUntil || run.firstLogs) {
    out.logs.push(...env.behaviour.logLines(rctx, { from: new Date(run.logsUntil), to: new Date(now), first: run.firstLogs }));
    run.firstLogs = false;
    run.logsUntil = now;
  }
  const exit = env.behaviour.exited(rctx);
  if (exit) return exitNow(run, env, exit, out);

  for (const kind of ["startup", "liveness", "readiness"] as const) {
    const probe = kind === "startup" ? c.startupProbe : kind === "liveness" ? c.livenessProbe : c.readinessProbe;
    const state = run.probes[kind];
    if (!probe || !state || state.nextAt > now) continue;
    if (kind === "startup" && run.started) continue;
    if (kind !== "startup" && !run.started) continue;
    state.nextAt = now + simMs(probe.periodSeconds ?? 10);
    const result = env.behaviour.probe(rctx, kind, probe);
    const failureThreshold = probe.failureThreshold ?? 3;
    const label = kind === "startup" ? "Startup" : kind === "liveness" ? "Liveness" : "Readiness";
    if (result.ok) {
      state.failures = 0;
      state.successes += 1;
      if (kind === "startup") {
        run.started = true;
        out.changed = true;
      }
      if (kind === "readiness" && !run.readinessPassed && state.successes >= (probe.successThreshold ?? 1)) {
        run.readinessPassed = true;
        out.changed = true;
      }
      continue;
    }
    state.successes = 0;
    state.failures += 1;
    out.events.push({ type: "Warning", reason: "Unhealthy", message: `${label} probe failed: ${result.message}` });
    if (state.failures < failureThreshold) continue;
    if (kind === "readiness") {
      if (run.readinessPassed) {
        run.readinessPassed = false;
        out.changed = true;
      }
      continue;
    }
    out.events.push({ type: "Normal", reason: "Killing", message: `Container ${c.name} failed ${kind} probe, will be restarted` });
    return exitNow(run, env, { exitCode: 137, reason: "Error" }, out);
  }

}

function exitNow(run: ContainerRun, env: StepEnv, exit: ContainerExit, out: StepResult): void {
  const now = env.now;
  run.terminated = {
    exitCode: exit.exitCode,
    reason: exit.reason,
    ...(exit.message ? { message: exit.message } : {}),
    startedAt: timestamp(new Date(run.startedAt ?? now)),
    finishedAt: timestamp(new Date(now)),
    ...(run.containerID ? { containerID: run.containerID } : {}),
  };
  run.started = false;
  run.readinessPassed = false;
  const restarts = env.restartPolicy === "Always" || (env.restartPolicy === "OnFailure" && exit.exitCode !== 0);
  if (restarts) {
    if (run.lastExitAt !== undefined && now - run.lastExitAt > BACKOFF_RESET_MS) run.exits = 0;
    run.exits += 1;
    run.lastExitAt = now;
    run.restartAt = now + simMs(restartBackoffSeconds(run.exits));
  } else {
    delete run.restartAt;
  }
  run.stage = "exited";
  run.dueAt = now + SHOW_MS;
  out.changed = true;
}

/**
 * Stops the container for a pod deletion (Killing "Stopping container x"): it exits after the
 * behaviour's stop time, or is killed at the grace period. Returns when it will be stopped.
 */
export function beginStop(run: ContainerRun, env: StepEnv, graceSeconds: number): { events: ContainerEvent[]; doneAt: number } {
  if (run.stage !== "running") {
    run.stage = "done";
    run.started = false;
    run.readinessPassed = false;
    return { events: [], doneAt: env.now };
  }
  const seconds = env.behaviour.stopSeconds(runningContext(run, env), graceSeconds);
  const killed = seconds > graceSeconds;
  run.stop = killed ? { exitCode: 137, reason: "Error" } : { exitCode: 0, reason: "Completed" };
  run.stage = "stopping";
  run.dueAt = env.now + simMs(Math.min(seconds, graceSeconds));
  return { events: [{ type: "Normal", reason: "Killing", message: `Stopping container ${env.ctx.container.name}` }], doneAt: run.dueAt };
}

/** Ends the container at once (eviction): killed. */
export function killNow(run: ContainerRun, now: number): void {
  if (run.stage === "running" || run.stage === "stopping") {
    finish(run, { exitCode: 137, reason: "Error" }, now);
    return;
  }
  run.started = false;
  run.readinessPassed = false;
  run.stage = "done";
}

/** The container has stopped with this exit: Terminated, no longer started or ready, done. */
function finish(run: ContainerRun, exit: { exitCode: number; reason: string }, now: number): void {
  run.terminated = {
    exitCode: exit.exitCode,
    reason: exit.reason,
    startedAt: timestamp(new Date(run.startedAt ?? now)),
    finishedAt: timestamp(new Date(now)),
    ...(run.containerID ? { containerID: run.containerID } : {}),
  };
  run.started = false;
  run.readinessPassed = false;
  run.stage = "done";
}

function hex(length: number, random: () => number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += Math.floor(random() * 16).toString(16);
  return s;
}
