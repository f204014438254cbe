import type { NodeCondition, Taint } from "./kube-shapes.js";
import type { KubeletHealth, PressureCondition } from "./node-health.js";

/**
 * Node conditions and the taints that follow from them, pure: what a kubelet reports, what the
 * node controller writes when the kubelet falls silent, and which taints (TaintNodesByCondition
 * and the NoExecute ones) a node's conditions call for.
 */

type Spec = { ok: [string, string]; bad: [string, string] };

const PRESSURE: Record<PressureCondition, Spec> = {
  MemoryPressure: {
    ok: ["KubeletHasSufficientMemory", "kubelet has sufficient memory available"],
    bad: ["KubeletHasInsufficientMemory", "kubelet has insufficient memory available"],
  },
  DiskPressure: {
    ok: ["KubeletHasNoDiskPressure", "kubelet has no disk pressure"],
    bad: ["KubeletHasDiskPressure", "kubelet has disk pressure"],
  },
  PIDPressure: {
    ok: ["KubeletHasSufficientPID", "kubelet has sufficient PID available"],
    bad: ["KubeletHasInsufficientPID", "kubelet has insufficient PID available"],
  },
};

export const CONDITION_TYPES = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"] as const;

/** The event reason a kubelet records when a condition turns (NodeHasInsufficientMemory, NodeReady…). */
export function conditionEventReason(type: string, status: string): string | undefined {
  switch (type) {
    case "Ready":
      return status === "True" ? "NodeReady" : "NodeNotReady";
    case "MemoryPressure":
      return status === "True" ? "NodeHasInsufficientMemory" : "NodeHasSufficientMemory";
    case "DiskPressure":
      return status === "True" ? "NodeHasDiskPressure" : "NodeHasNoDiskPressure";
    case "PIDPressure":
      return status === "True" ? "NodeHasInsufficientPID" : "NodeHasSufficientPID";
    default:
      return undefined;
  }
}

function keepTransition(existing: NodeCondition[] | undefined, next: NodeCondition, now: string): NodeCondition {
  const prior = existing?.find((c) => c.type === next.type);
  return { ...next, lastTransitionTime: prior && prior.status === next.status ? (prior.lastTransitionTime ?? now) : now };
}

/** The conditions a live kubelet posts: heartbeats now, transitions kept where the status did not change. */
export function kubeletConditions(
  existing: NodeCondition[] | undefined,
  health: Exclude<KubeletHealth, "Unreachable">,
  pressure: (c: PressureCondition) => boolean,
  now: string,
): NodeCondition[] {
  const out: NodeCondition[] = [];
  for (const type of ["MemoryPressure", "DiskPressure", "PIDPressure"] as const) {
    const bad = pressure(type);
    const [reason, message] = bad ? PRESSURE[type].bad : PRESSURE[type].ok;
    out.push(keepTransition(existing, { type, status: bad ? "True" : "False", lastHeartbeatTime: now, reason, message }, now));
  }
  out.push(
    keepTransition(
      existing,
      health === "Ready"
        ? { type: "Ready", status: "True", lastHeartbeatTime: now, reason: "KubeletReady", message: "kubelet is posting ready status" }
        : {
            type: "Ready",
            status: "False",
            lastHeartbeatTime: now,
            reason: "KubeletNotReady",
            message: "container runtime is down, PLEG is not healthy: pleg was last seen active 3m0.5s ago; threshold is 3m0s",
          },
      now,
    ),
  );
  return out;
}

/** What the node controller writes when the kubelet has stopped posting: every condition Unknown. */
export function unknownConditions(existing: NodeCondition[] | undefined, now: string): NodeCondition[] {
  return CONDITION_TYPES.map((type) => {
    const prior = existing?.find((c) => c.type === type);
    return {
      type,
      status: "Unknown" as const,
      ...(prior?.lastHeartbeatTime ? { lastHeartbeatTime: prior.lastHeartbeatTime } : {}),
      lastTransitionTime: prior?.status === "Unknown" ? (prior.lastTransitionTime ?? now) : now,
      reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.",
    };
  });
}

export const TAINT = {
  notReady: "node.kubernetes.io/not-ready",
  unreachable: "node.kubernetes.io/unreachable",
  unschedulable: "node.kubernetes.io/unschedulable",
  memoryPressure: "node.kubernetes.io/memory-pressure",
  diskPressure: "node.kubernetes.io/disk-pressure",
  pidPressure: "node.kubernetes.io/pid-pressure",
} as const;

const MANAGED = new Set<string>(Object.values(TAINT));

/**
 * The node's taints given its conditions and cordon: the controller-managed ones follow the
 * conditions, others stay; a taint already present keeps its timeAdded (eviction counts from it).
 */
export function desiredTaints(current: Taint[] | undefined, conditions: NodeCondition[] | undefined, unschedulable: boolean, now: string): Taint[] {
  const status = (type: string) => conditions?.find((c) => c.type === type)?.status;
  const want: Taint[] = [];
  const ready = status("Ready");
  if (ready === "False") want.push({ key: TAINT.notReady, effect: "NoSchedule" }, { key: TAINT.notReady, effect: "NoExecute" });
  if (ready === "Unknown") want.push({ key: TAINT.unreachable, effect: "NoSchedule" }, { key: TAINT.unreachable, effect: "NoExecute" });
  if (unschedulable) want.push({ key: TAINT.unschedulable, effect: "NoSchedule" });
  if (status("MemoryPressure") === "True") want.push({ key: TAINT.memoryPressure, effect: "NoSchedule" });
  if (status("DiskPressure") === "True") want.push({ key: TAINT.diskPressure, effect: "NoSchedule" });
  if (status("PIDPressure") === "True") want.push({ key: TAINT.pidPressure, effect: "NoSchedule" });
  const kept = (current ?? []).filter((t) => !MANAGED.has(t.key));
  const managed = want.map((t) => {
    const prior = current?.find((c) => c.key === t.key && c.effect === t.effect);
    if (prior) return prior;
    return t.effect === "NoExecute" ? { ...t, timeAdded: now } : t;
  });
  return [...kept, ...managed];
}
