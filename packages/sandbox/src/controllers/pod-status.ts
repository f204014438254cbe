import type { ContainerRun } from "./container-lifecycle.js";
import { containerStatus } from "./container-status.js";
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from "./kube-shapes.js";
import { normalizeImage, imageId } from "./image-ref.js";
import { qosClass } from "./quantity.js";

export type PodRuntime = {
  podIP?: string;
  hostIP?: string;
  startTime?: string;
  /** The pod's containers and their runs, in spec order. */
  containers: { container: Container; run: ContainerRun }[];
};

/** The pod phase from its containers (the kubelet's getPhase). */
export function podPhase(statuses: ContainerStatus[], restartPolicy: string): NonNullable<PodStatus["phase"]> {
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped > 0 && stopped === statuses.length) {
    if (restartPolicy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    if (restartPolicy === "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

function condition(existing: PodCondition[] | undefined, type: string, ok: boolean, now: string, notOk: { reason?: string; message?: string } = {}): PodCondition {
  const status = ok ? "True" : "False";
  const prior = existing?.find((c) => c.type === type);
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: prior && prior.status === status ? (prior.lastTransitionTime ?? now) : now,
    ...(ok ? {} : notOk),
  };
}

/**
 * The status the kubelet reports for a pod: container statuses, phase, the five conditions in
 * the order kubectl describe lists them, addresses, start time and QoS class. PodScheduled is
 * the scheduler's and is kept as it is (True for pods placed on a node by name).
 */
export function buildPodStatus(pod: Pod, rt: PodRuntime, now: string): PodStatus {
  const spec = pod.spec ?? {};
  const existing = pod.status?.conditions;
  const containerStatuses = rt.containers.map(({ container, run }) => containerStatus(run, container));
  const unready = containerStatuses.filter((s) => !s.ready).map((s) => s.name);
  const notReady = { reason: "ContainersNotReady", message: `containers with unready status: [${unready.join(" ")}]` };
  const scheduled = existing?.find((c) => c.type === "PodScheduled" && c.status === "True") ?? {
    type: "PodScheduled",
    status: "True" as const,
    lastProbeTime: null,
    lastTransitionTime: now,
  };
  const initContainerStatuses: ContainerStatus[] = (spec.initContainers ?? []).map((c) => ({
    name: c.name,
    // Init containers are simulated as having completed as the pod started.
    state: { terminated: { exitCode: 0, reason: "Completed", startedAt: rt.startTime ?? now, finishedAt: rt.startTime ?? now } },
    lastState: {},
    ready: true,
    restartCount: 0,
    image: normalizeImage(c.image ?? ""),
    imageID: imageId(c.image ?? ""),
    started: false,
  }));
  return {
    phase: podPhase(containerStatuses, spec.restartPolicy ?? "Always"),
    conditions: [
      condition(existing, "PodReadyToStartContainers", rt.podIP !== undefined, now),
      condition(existing, "Initialized", true, now),
      condition(existing, "Ready", unready.length === 0, now, notReady),
      condition(existing, "ContainersReady", unready.length === 0, now, notReady),
      scheduled,
    ],
    ...(rt.hostIP ? { hostIP: rt.hostIP, hostIPs: [{ ip: rt.hostIP }] } : {}),
    ...(rt.podIP ? { podIP: rt.podIP, podIPs: [{ ip: rt.podIP }] } : {}),
    ...(rt.startTime ? { startTime: rt.startTime } : {}),
    ...(initContainerStatuses.length ? { initContainerStatuses } : {}),
    containerStatuses,
    qosClass: qosClass(spec),
  };
}
