import { simMs } from "../sim-time.js";
import type { Pod, PodCondition, WorkloadCondition } from "./kube-shapes.js";

/** Not being deleted and not finished: a pod a controller counts towards its replicas. */
export function isPodActive(p: Pod): boolean {
  return !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";
}

export function podCondition(p: Pod, type: string): PodCondition | undefined {
  return p.status?.conditions?.find((c) => c.type === type);
}

export function isPodReady(p: Pod): boolean {
  return podCondition(p, "Ready")?.status === "True";
}

/**
 * When a ready pod counts as available: once it has been Ready for minReadySeconds (of cluster
 * time, so compressed). `undefined` when it is not ready.
 */
export function availableAt(p: Pod, minReadySeconds: number): number | undefined {
  const ready = podCondition(p, "Ready");
  if (ready?.status !== "True") return undefined;
  if (minReadySeconds <= 0) return 0;
  const since = Date.parse(ready.lastTransitionTime ?? "");
  return Number.isFinite(since) ? since + simMs(minReadySeconds) : 0;
}

export function isPodAvailable(p: Pod, minReadySeconds: number, nowMs: number): boolean {
  const at = availableAt(p, minReadySeconds);
  return at !== undefined && at <= nowMs;
}

/**
 * Sets a condition in a list as the API helpers do: a changed status moves lastTransitionTime, a
 * changed reason or message alone does not. The condition keeps its place. Returns the new list.
 */
export function setCondition<C extends PodCondition | WorkloadCondition>(list: C[] | undefined, next: C, now: string): C[] {
  const current = list?.find((c) => c.type === next.type);
  const merged = { ...next } as C;
  merged.lastTransitionTime = current && current.status === next.status ? (current.lastTransitionTime ?? now) : now;
  return current ? (list ?? []).map((c) => (c === current ? merged : c)) : [...(list ?? []), merged];
}
