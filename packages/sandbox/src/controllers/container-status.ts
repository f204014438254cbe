import { imageId, normalizeImage } from "./image-ref.js";
import { initProbes, newContainerRun, type ContainerRun } from "./container-lifecycle.js";
import { timestamp, type Container, type ContainerStatus } from "./kube-shapes.js";

/** The container's status as the kubelet reports it. */
export function containerStatus(run: ContainerRun, c: Container): ContainerStatus {
  const running = run.stage === "running" || run.stage === "stopping";
  const state = running
    ? { running: { startedAt: timestamp(new Date(run.startedAt ?? 0)) } }
    : run.terminated
      ? { terminated: run.terminated }
      : { waiting: run.waiting ?? { reason: "ContainerCreating" } };
  const containerID = run.containerID ?? run.lastTerminated?.containerID;
  return {
    name: c.name,
    state,
    lastState: run.lastTerminated ? { terminated: run.lastTerminated } : {},
    ready: running && run.started && (!c.readinessProbe || run.readinessPassed),
    restartCount: run.restartCount,
    image: normalizeImage(c.image ?? ""),
    imageID: run.imageID,
    ...(containerID ? { containerID } : {}),
    started: running && run.started,
  };
}

/**
 * A run for a container the store already reports running (the controllers restarted while the
 * cluster's pods kept going): it carries on from its status instead of starting over.
 */
export function adoptContainerRun(container: Container, status: ContainerStatus, now: number): ContainerRun | undefined {
  const startedAt = Date.parse(status.state.running?.startedAt ?? "");
  if (!Number.isFinite(startedAt)) return undefined;
  const run = newContainerRun(container.name, now);
  run.stage = "running";
  delete run.waiting;
  run.startedAt = startedAt;
  run.restartCount = status.restartCount ?? 0;
  if (status.lastState?.terminated) run.lastTerminated = status.lastState.terminated;
  if (status.containerID) run.containerID = status.containerID;
  run.imageID = status.imageID || imageId(container.image ?? "");
  run.started = status.started ?? true;
  run.readinessPassed = status.ready;
  run.firstLogs = false;
  initProbes(run, container, now, { firstAt: now });
  return run;
}
