import type { FaultKind, Finding } from "@autodevops/shared";
import { calleesOf, confidence, CRASH, ERRORS, evidenceOf, named, OOM, SATURATION, workloadsOf } from "./evidence.js";
import type { Diagnosis, Playbook, PlaybookContext } from "./types.js";

/** A kind whose right answer is to change nothing and tell people, with the evidence and the next step. */
function escalating(kind: FaultKind, reason: string, nextStep: string, diagnose: Playbook["diagnose"]): Playbook {
  return { kind, diagnose, candidates: () => ({ route: "escalate", reason, nextStep }) };
}

/** The first workload with findings of these names or kinds, as a diagnosis of `kind`. */
function byFindings(kind: FaultKind, base: number, match: (f: Finding) => boolean, summary: (w: string, fs: Finding[]) => string, ruledOut: string[] = []) {
  return (fs: readonly Finding[], ctx: PlaybookContext): Diagnosis | undefined => {
    const hits = fs.filter(match);
    const first = hits[0];
    if (!first) return undefined;
    const target = workloadsOf(hits)[0];
    const mine = target ? hits.filter((f) => f.namespace === target.namespace && f.workload === target.workload) : hits;
    return {
      kind,
      confidence: confidence(base, mine),
      cluster: first.cluster || ctx.cluster,
      namespace: target?.namespace ?? first.namespace,
      ...(target ? { workload: target.workload } : {}),
      ...(first.node ? { node: first.node } : {}),
      summary: summary(target?.workload ?? first.node ?? "?", mine),
      evidence: evidenceOf(mine),
      ruledOut,
      details: {},
    };
  };
}

export const configError = escalating(
  "config-error",
  "a ConfigMap key the pods need is missing; no action of Scarlet's restores it, and restarts only spread the failure",
  "restore the key (or revert the change that removed it); running pods keep working until they restart",
  byFindings("config-error", 0.85, (f) => f.kind === "config-error", (w) => `restarted pods of ${w} fail with CreateContainerConfigError`, ["crashloop: the container never starts; restarting would fail the same way"]),
);

export const unschedulable = escalating(
  "unschedulable",
  "new pods fit no node; making room (evicting others) or shrinking requests is a capacity decision for people",
  "lower the pods' requests or add node capacity; the old pods go on serving meanwhile",
  byFindings("unschedulable", 0.85, (f) => f.kind === "unschedulable", (w, fs) => `new pods of ${w} stay Pending: ${fs[0]?.evidence[0] ?? "no node fits"}`),
);

export const quotaExceeded = escalating(
  "quota-exceeded",
  "the namespace's ResourceQuota refuses new pods; raising a quota is a policy decision",
  "raise the ResourceQuota (or free pods in the namespace) so the workload gets its replicas",
  byFindings("quota-exceeded", 0.85, (f) => f.kind === "quota-exceeded", (w) => `pods of ${w} are refused: exceeded quota`),
);

export const diskPressure = escalating(
  "disk-pressure",
  "the volume is nearly full; expanding it or cleaning data is not an action Scarlet takes, and a restart frees nothing",
  "expand the PVC (if its StorageClass allows) or clean old data (WAL, dumps) out of it",
  byFindings("disk-pressure", 0.85, (f) => f.kind === "disk-pressure", (w, fs) => `${w}'s volume is ${fs[0]?.labels.usedFraction ? `${(Number(fs[0].labels.usedFraction) * 100).toFixed(0)}%` : "nearly"} full`),
);

export const roguePod = escalating(
  "rogue-pod",
  "an unknown pod from an unfamiliar registry: this is for security; deleting it would destroy the evidence",
  "have security look at the pod (image, creator, traffic), then delete it and rotate the credentials that created it",
  byFindings("rogue-pod", 0.8, (f) => f.kind === "rogue-pod", (_w, fs) => `bare pod ${fs[0]?.pod ?? "?"} runs ${fs[0]?.labels.image ?? "an unknown image"}`),
);

export const slowDependency = escalating(
  "slow-dependency",
  "a dependency outside the cluster is slow; nothing inside the cluster makes it faster",
  "tell the dependency's owner (or fail over); consider the callers' timeouts",
  (fs, ctx) => {
    const slow = fs.filter((f) => f.name === "metric.p99-latency" || f.name === "HighLatencyP99");
    for (const { namespace, workload } of workloadsOf(slow)) {
      const mine = fs.filter((f) => f.namespace === namespace && f.workload === workload);
      if (named(mine, [...SATURATION, ...CRASH, ...OOM]).length > 0) continue;
      const calls = ctx.slowCalls?.filter((c) => c.namespace === namespace && c.workload === workload) ?? [];
      // The slowest in-cluster caller chain ends at the one whose own outbound call is slow.
      if (calls.length === 0 && calleesOf(ctx, namespace, workload).some((c) => slow.some((f) => `${f.namespace}/${f.workload}` === c))) continue;
      return {
        kind: "slow-dependency",
        confidence: confidence(calls.length > 0 ? 0.85 : 0.55, mine),
        cluster: mine[0]?.cluster ?? ctx.cluster,
        namespace,
        workload,
        summary: `${workload} is slow${calls[0] ? ` waiting on ${calls[0].peer} (p99 ${Math.round(calls[0].p99Ms)}ms)` : ""}`,
        evidence: [...calls.map((c) => `traces: ${workload} -> ${c.peer} p99 ${Math.round(c.p99Ms)}ms`), ...evidenceOf(mine)],
        ruledOut: ["traffic-spike: no CPU throttling", "crashloop: no restarts"],
        details: {},
      };
    }
    return undefined;
  },
);

export const networkPolicyBlock = escalating(
  "network-policy-block",
  "a NetworkPolicy drops the callers' traffic; changing security policy is for people",
  "review the new NetworkPolicy with its author and admit the callers (or revert it)",
  (fs, ctx) => {
    const failing = workloadsOf(named(fs, ERRORS));
    const hasFindings = (key: string) => fs.some((f) => `${f.namespace}/${f.workload}` === key);
    for (const change of [...(ctx.changes ?? [])].reverse().filter((c) => c.kind === "NetworkPolicy")) {
      // The blocked one: what the policy selects, else a callee of the failing callers that looks healthy itself.
      const callees = [...new Set(failing.flatMap((w) => calleesOf(ctx, w.namespace, w.workload)))].filter((c) => c.startsWith(`${change.namespace}/`));
      const blocked = change.selects !== undefined ? callees.find((c) => c === `${change.namespace}/${change.selects}`) : callees.find((c) => !hasFindings(c));
      if (!blocked) continue;
      const target = blocked.split("/")[1];
      const callers = failing.filter((w) => calleesOf(ctx, w.namespace, w.workload).includes(blocked));
      const mine = fs.filter((f) => callers.some((w) => w.namespace === f.namespace && w.workload === f.workload));
      return {
        kind: "network-policy-block",
        confidence: confidence(0.7, mine),
        cluster: ctx.cluster,
        namespace: change.namespace,
        ...(target ? { workload: target } : {}),
        summary: `NetworkPolicy ${change.namespace}/${change.name}${change.by ? ` (by ${change.by})` : ""} blocks ${callers.map((w) => w.workload).join(", ")} from ${target ?? "their callee"}`,
        evidence: [`NetworkPolicy ${change.name} changed at ${change.at}`, ...evidenceOf(mine)],
        ruledOut: [`${target ?? "the callee"} looks healthy: restarting it (or its callers) changes nothing`],
        details: {},
      };
    }
    return undefined;
  },
);
