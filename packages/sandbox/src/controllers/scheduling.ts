import type { Node, NodeSelectorRequirement, Pod, Taint, Toleration } from "./kube-shapes.js";
import { bytes, cpuMilli, podRequests } from "./quantity.js";

/**
 * The scheduler's decision, pure: which nodes a pod fits (NodeUnschedulable, TaintToleration,
 * NodeAffinity, NodeResourcesFit, in that order, as the default profile filters), which of them
 * is best (its owner's pods spread out, then the least allocated), and when none fits, the
 * message the real scheduler writes.
 */

export type NodeInfo = {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
  allocatable: { cpuMilli: number; memoryBytes: number; pods: number };
  requested: { cpuMilli: number; memoryBytes: number; pods: number };
  /** Pods on the node per controller uid, for spreading a workload's replicas. */
  owners: Map<string, number>;
};

export type Placement = { ok: true; node: string } | { ok: false; message: string };

const ownerUid = (p: Pod) => p.metadata.ownerReferences?.find((r) => r.controller)?.uid;

/** What each node offers and what its pods (finished ones aside) already take. */
export function nodeInfos(nodes: Node[], pods: Pod[]): NodeInfo[] {
  const infos = new Map<string, NodeInfo>();
  for (const n of nodes) {
    const alloc = n.status?.allocatable ?? n.status?.capacity ?? {};
    infos.set(n.metadata.name, {
      name: n.metadata.name,
      labels: { ...(n.metadata.labels ?? {}), "metadata.name": n.metadata.name },
      taints: n.spec?.taints ?? [],
      unschedulable: n.spec?.unschedulable === true,
      allocatable: { cpuMilli: cpuMilli(alloc.cpu), memoryBytes: bytes(alloc.memory), pods: Number(alloc.pods ?? 110) },
      requested: { cpuMilli: 0, memoryBytes: 0, pods: 0 },
      owners: new Map(),
    });
  }
  for (const p of pods) {
    const info = p.spec?.nodeName ? infos.get(p.spec.nodeName) : undefined;
    if (info && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed") assign(info, p);
  }
  return [...infos.values()];
}

/** Counts a pod against a node (after binding it, so later pods in the same pass see it). */
export function assign(info: NodeInfo, p: Pod): void {
  const r = podRequests(p.spec);
  info.requested.cpuMilli += r.cpuMilli;
  info.requested.memoryBytes += r.memoryBytes;
  info.requested.pods += 1;
  const owner = ownerUid(p);
  if (owner) info.owners.set(owner, (info.owners.get(owner) ?? 0) + 1);
}

/** Whether a toleration tolerates a taint (v1helper.TolerationsTolerateTaint). */
export function tolerates(t: Toleration, taint: Pick<Taint, "key" | "value" | "effect">): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== "Exists") return false;
  if (t.operator === "Exists") return true;
  return (t.value ?? "") === (taint.value ?? "");
}

export function toleratesAll(tolerations: Toleration[] | undefined, taint: Pick<Taint, "key" | "value" | "effect">): boolean {
  return (tolerations ?? []).some((t) => tolerates(t, taint));
}

function requirementHolds(r: NodeSelectorRequirement, value: string | undefined): boolean {
  switch (r.operator) {
    case "In":
      return value !== undefined && (r.values ?? []).includes(value);
    case "NotIn":
      return value === undefined || !(r.values ?? []).includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
      return value !== undefined && Number(value) > Number(r.values?.[0]);
    case "Lt":
      return value !== undefined && Number(value) < Number(r.values?.[0]);
    default:
      return false;
  }
}

/** nodeSelector and required node affinity (terms ORed, requirements within a term ANDed). */
export function matchesNodeAffinity(pod: Pod, info: NodeInfo): boolean {
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (info.labels[k] !== v) return false;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms?.length) return true;
  return terms.some(
    (t) =>
      (t.matchExpressions ?? []).every((r) => requirementHolds(r, info.labels[r.key])) &&
      (t.matchFields ?? []).every((r) => requirementHolds(r, r.key === "metadata.name" ? info.name : undefined)),
  );
}

type Verdict = { reasons: string[]; resolvable: boolean };

/** Why the pod does not fit the node (empty when it fits); `resolvable` when preemption could help. */
export function filterNode(pod: Pod, info: NodeInfo): Verdict {
  const tolerations = pod.spec?.tolerations;
  if (info.unschedulable && !toleratesAll(tolerations, { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" })) {
    return { reasons: ["node(s) were unschedulable"], resolvable: false };
  }
  const untolerated = info.taints.find((t) => (t.effect === "NoSchedule" || t.effect === "NoExecute") && !toleratesAll(tolerations, t));
  if (untolerated) return { reasons: [`node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ""}}`], resolvable: false };
  if (!matchesNodeAffinity(pod, info)) return { reasons: ["node(s) didn't match Pod's node affinity/selector"], resolvable: false };
  const want = podRequests(pod.spec);
  const reasons: string[] = [];
  if (info.requested.pods + 1 > info.allocatable.pods) reasons.push("Too many pods");
  if (want.cpuMilli > 0 && want.cpuMilli > info.allocatable.cpuMilli - info.requested.cpuMilli) reasons.push("Insufficient cpu");
  if (want.memoryBytes > 0 && want.memoryBytes > info.allocatable.memoryBytes - info.requested.memoryBytes) reasons.push("Insufficient memory");
  return { reasons, resolvable: true };
}

/** "3 Insufficient cpu, 1 node(s) were unschedulable" sorted as the scheduler sorts its histogram. */
function histogram(counts: Map<string, number>): string {
  return [...counts].map(([reason, n]) => `${n} ${reason}`).sort().join(", ");
}

/** The FailedScheduling message of the real scheduler, with its preemption postscript. */
export function unschedulableMessage(total: number, verdicts: Verdict[]): string {
  const reasons = new Map<string, number>();
  const preemption = new Map<string, number>();
  for (const v of verdicts) {
    for (const r of v.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    const p = v.resolvable ? "No preemption victims found for incoming pod." : "Preemption is not helpful for scheduling.";
    preemption.set(p, (preemption.get(p) ?? 0) + 1);
  }
  const main = total === 0 ? "0/0 nodes are available: no nodes available to schedule pods." : `0/${total} nodes are available: ${histogram(reasons)}.`;
  if (total === 0) return main;
  // The postscript's reasons already end in a period; only the last keeps it.
  const post = [...preemption].map(([r, n]) => `${n} ${r.replace(/\.$/, "")}`).sort().join(", ");
  return `${main} preemption: 0/${total} nodes are available: ${post}.`;
}

function freeShare(info: NodeInfo, add: { cpuMilli: number; memoryBytes: number }): number {
  const share = (alloc: number, used: number) => (alloc > 0 ? Math.max(0, alloc - used) / alloc : 0);
  return (share(info.allocatable.cpuMilli, info.requested.cpuMilli + add.cpuMilli) + share(info.allocatable.memoryBytes, info.requested.memoryBytes + add.memoryBytes)) / 2;
}

/** The node for a pod, or the reason none will do. Ties go to a random one of the best, as in the real scheduler. */
export function place(pod: Pod, infos: NodeInfo[], random: () => number): Placement {
  const fits: NodeInfo[] = [];
  const failed: Verdict[] = [];
  for (const info of infos) {
    const v = filterNode(pod, info);
    if (v.reasons.length === 0) fits.push(info);
    else failed.push(v);
  }
  if (fits.length === 0) return { ok: false, message: unschedulableMessage(infos.length, failed) };
  const want = podRequests(pod.spec);
  const owner = ownerUid(pod);
  const score = (n: NodeInfo) => -(owner ? (n.owners.get(owner) ?? 0) : 0) * 10 + freeShare(n, want);
  let best: NodeInfo[] = [];
  let bestScore = -Infinity;
  for (const n of fits) {
    const s = score(n);
    if (s > bestScore + 1e-9) {
      best = [n];
      bestScore = s;
    } else if (Math.abs(s - bestScore) <= 1e-9) best.push(n);
  }
  const chosen = best[Math.floor(random() * best.length)] ?? best[0];
  return chosen ? { ok: true, node: chosen.name } : { ok: false, message: unschedulableMessage(infos.length, failed) };
}
