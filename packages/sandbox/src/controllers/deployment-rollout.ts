import type { DeploymentSpec, IntOrString } from "./kube-shapes.js";

/**
 * The arithmetic of a Deployment rollout, as the deployment controller does it (rolling.go,
 * recreate.go): how far to scale the new ReplicaSet up and the old ones down in one step.
 */

/** What the rollout needs to know of a ReplicaSet. */
export type RsView = {
  name: string;
  /** spec.replicas */
  replicas: number;
  /** status.availableReplicas, never above spec.replicas (a status can lag a scale-down). */
  available: number;
  /** creationTimestamp, for oldest-first ordering. */
  created: string;
};

export function intOrPercent(v: IntOrString | undefined, total: number, roundUp: boolean, fallback: IntOrString = "25%"): number {
  const value = v ?? fallback;
  if (typeof value === "number") return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return Number(value) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** maxSurge (rounded up) and maxUnavailable (rounded down); both zero would stall, so unavailable becomes 1. */
export function fenceposts(spec: DeploymentSpec): { surge: number; unavailable: number } {
  const replicas = spec.replicas ?? 1;
  if (spec.strategy?.type === "Recreate") return { surge: 0, unavailable: 0 };
  const ru = spec.strategy?.rollingUpdate;
  const surge = intOrPercent(ru?.maxSurge, replicas, true);
  let unavailable = intOrPercent(ru?.maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable: Math.min(unavailable, replicas) };
}

const byAge = (a: RsView, b: RsView) => a.created.localeCompare(b.created) || a.name.localeCompare(b.name);
const sum = (rs: RsView[], f: (r: RsView) => number) => rs.reduce((n, r) => n + f(r), 0);

/** The new ReplicaSet's replicas in this step of a rolling update (NewRSNewReplicas). */
export function newReplicaSetReplicas(spec: DeploymentSpec, newRS: RsView | undefined, oldRSs: RsView[]): number {
  const replicas = spec.replicas ?? 1;
  const current = newRS?.replicas ?? 0;
  if (spec.strategy?.type === "Recreate" || current >= replicas) return replicas;
  const { surge } = fenceposts(spec);
  const total = current + sum(oldRSs, (r) => r.replicas);
  const maxTotal = replicas + surge;
  if (total >= maxTotal) return current;
  const up = Math.min(maxTotal - total, replicas - current);
  return current + Math.max(0, up);
}

/**
 * The old ReplicaSets' replicas after this step's scale-down (reconcileOldReplicaSets): first
 * the old pods that are not available anyway, then available ones while the deployment keeps
 * `replicas - maxUnavailable` available. Only changed entries are returned.
 */
export function scaleDownOld(spec: DeploymentSpec, newRS: RsView, oldRSs: RsView[]): Map<string, number> {
  const changes = new Map<string, number>();
  const old = oldRSs.filter((r) => r.replicas > 0).map((r) => ({ ...r })).sort(byAge);
  if (old.length === 0) return changes;
  const replicas = spec.replicas ?? 1;
  const { unavailable } = fenceposts(spec);
  const minAvailable = replicas - unavailable;
  const allPods = newRS.replicas + sum(old, (r) => r.replicas);
  const newUnavailable = newRS.replicas - newRS.available;
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return changes;

  let cleaned = 0;
  for (const rs of old) {
    if (cleaned >= maxScaledDown) break;
    if (rs.replicas === rs.available) continue;
    const n = Math.min(maxScaledDown - cleaned, rs.replicas - rs.available);
    rs.replicas -= n;
    cleaned += n;
    changes.set(rs.name, rs.replicas);
  }

  const available = newRS.available + sum(old, (r) => Math.min(r.available, r.replicas));
  if (available > minAvailable) {
    const toScale = available - minAvailable;
    let scaled = 0;
    for (const rs of old) {
      if (scaled >= toScale) break;
      if (rs.replicas === 0) continue;
      const n = Math.min(rs.replicas, toScale - scaled);
      rs.replicas -= n;
      scaled += n;
      changes.set(rs.name, rs.replicas);
    }
  }
  return changes;
}
