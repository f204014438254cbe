import type { Pod } from "./kube-shapes.js";
import { isPodReady, podCondition } from "./pod-state.js";

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

const restarts = (p: Pod) => Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));

/**
 * Orders pods the way a ReplicaSet chooses whom to delete when it scales down (controller.ActivePods):
 * unscheduled before scheduled, Pending before Running, not ready before ready, ready for less
 * time before longer, more restarts before fewer, newer before older.
 */
export function deletionOrder(a: Pod, b: Pod): number {
  const assigned = (p: Pod) => (p.spec?.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phase = (p: Pod) => PHASE_RANK[p.status?.phase ?? "Pending"] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ready = (p: Pod) => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  if (ready(a) && ready(b)) {
    const since = (p: Pod) => podCondition(p, "Ready")?.lastTransitionTime ?? "";
    if (since(a) !== since(b)) return since(b).localeCompare(since(a));
  }
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  return b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp) || b.metadata.name.localeCompare(a.metadata.name);
}

/** The `n` pods a scale-down removes. */
export function podsToDelete(pods: Pod[], n: number): Pod[] {
  return [...pods].sort(deletionOrder).slice(0, Math.max(0, n));
}
