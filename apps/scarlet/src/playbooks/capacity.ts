import { action, confidence, CRASH, ERRORS, factsOf, named, numLabel, onWorkload, onWorkloadDiagnosis, OOM, recentRollout, SATURATION, workloadsOf } from "./evidence.js";
import type { Candidate, Playbook, WorkloadFacts } from "./types.js";

/** Per-pod CPU use over the limit that a scale-up aims for, leaving room for the traffic's wander. */
export const TARGET_UTILISATION = 0.7;
/** At most this many times the current replicas in one step; more is a person's call. */
const MAX_STEP = 4;

/**
 * How many times its CPU limit each pod would need at the current replicas. Throttled use is
 * capped at the limit, so the demand is estimated from the request rate over its baseline and
 * from the throttled share (use / (1 - throttled)); with both, the larger counts: a rate window
 * still ramping, or a baseline CPU learned at a quieter hour, understates it, and a step too small
 * leaves the pods saturated with the incident closed. With neither, a conservative 1.5.
 * (The eval's spike: 2.4× the rate on a baseline CPU of 0.39 said 4 pods; 90 % CPU with 99 % of
 * periods throttled said far more, and 4 pods stayed saturated.)
 */
export function demandRatio(load: WorkloadFacts["load"], rateRatio: number | undefined): number {
  const ratio = load?.requestRate && load.baselineRequestRate ? load.requestRate / load.baselineRequestRate : rateRatio;
  const estimates: number[] = [];
  if (ratio !== undefined && load?.baselineCpuRatio !== undefined) estimates.push(ratio * load.baselineCpuRatio);
  // Throttled in nearly every period, the pods' use says little beyond "far more": counted as 90 %, which the step caps bound.
  if (load?.cpuRatio !== undefined && load.throttledShare !== undefined) estimates.push(load.cpuRatio / (1 - Math.min(load.throttledShare, 0.9)));
  return estimates.length ? Math.max(...estimates) : Math.max(load?.cpuRatio ?? 0, 1) * 1.5;
}

const RATE_SPIKE = ["metric.request-rate-anomaly"];

/**
 * Pods working at their CPU limit now (the saturation and throttling checks' warning levels),
 * from the latest readings: with a request-rate spike held, this is enough to call it load,
 * without waiting for the saturation check's own hold.
 */
export function cpuBound(load: WorkloadFacts["load"]): boolean {
  return (load?.cpuRatio ?? 0) >= 0.8 || (load?.throttledShare ?? 0) >= 0.25;
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

export const trafficSpike: Playbook = {
  kind: "traffic-spike",
  diagnose(fs, ctx) {
    const saturated = workloadsOf(named(fs, SATURATION));
    const spiking = workloadsOf(named(fs, RATE_SPIKE)).filter((w) => cpuBound(factsOf(ctx, w.namespace, w.workload)?.load));
    const seen = new Set<string>();
    for (const { namespace, workload } of [...saturated, ...spiking]) {
      if (seen.has(`${namespace}/${workload}`)) continue;
      seen.add(`${namespace}/${workload}`);
      const mine = onWorkload(fs, namespace, workload);
      const facts = factsOf(ctx, namespace, workload);
      // Saturation from crashing replicas, a fresh rollout's errors or a memory fault is not load.
      if (named(mine, [...CRASH, ...OOM]).length > 0 || (recentRollout(facts, ctx) && named(mine, ERRORS).length > 0)) continue;
      const rate = named(mine, RATE_SPIKE);
      const ratio = Math.max(0, ...numLabel(rate, "ratio"));
      const load = facts?.load;
      // More requests and the CPU at its limit: load. Either one alone is weaker (a CPU-hungry build, a crawler on a cache).
      const both = rate.length > 0 && (named(mine, SATURATION).length > 0 || cpuBound(load));
      return onWorkloadDiagnosis(
        {
          kind: "traffic-spike",
          confidence: confidence(both ? 0.8 : 0.6, mine),
          cluster: mine[0]?.cluster ?? ctx.cluster,
          namespace,
          workload,
          summary: `${workload} is CPU-bound under ${ratio > 0 ? `${ratio.toFixed(1)}× its usual` : "more"} traffic`,
          ruledOut: ["crashloop / oom: no restarts", "bad-rollout: no fresh rollout with errors"],
          details: { workloadKind: facts?.kind === "StatefulSet" ? "StatefulSet" : "Deployment", ...(facts ? { replicas: facts.replicas } : {}), ...(ratio > 0 ? { rateRatio: ratio } : {}) },
        },
        mine,
        [
          ...(ratio > 0 ? [`request rate ${ratio.toFixed(1)}× baseline`] : []),
          ...(load?.cpuRatio !== undefined ? [`CPU at ${pct(load.cpuRatio)} of its limit${load.throttledShare !== undefined ? `, ${pct(load.throttledShare)} of periods throttled` : ""}`] : []),
        ],
      );
    }
    return undefined;
  },
  candidates(d, ctx) {
    const facts = d.workload ? factsOf(ctx, d.namespace, d.workload) : undefined;
    const current = d.details.replicas ?? facts?.replicas;
    if (!d.workload || current === undefined || current < 1) return { route: "escalate", reason: "the workload's replica count is not known", nextStep: "scale it by hand after checking its load" };
    const demand = demandRatio(facts?.load, d.details.rateRatio);
    const wanted = Math.max(current + 1, Math.ceil((current * demand) / TARGET_UTILISATION));
    const replicas = Math.min(wanted, current * MAX_STEP);
    const kind = d.details.workloadKind === "StatefulSet" ? "StatefulSet" : "Deployment";
    const scaleTo = (n: number, risk: "low" | "medium", note: string): Candidate => ({
      action: action({ kind: "scale", cluster: d.cluster, namespace: d.namespace, target: d.workload ?? "", params: { replicas: n, from: current, workloadKind: kind } }),
      risk,
      why: `each pod needs ~${demand.toFixed(2)}× its CPU limit at ${current} replicas; ${n} bring it to ~${((current * demand) / n).toFixed(2)}× (target ${TARGET_UTILISATION})${note}`,
    });
    // A StatefulSet's new replicas hold data of their own (a database joining its peers): always a person's call.
    if (kind === "StatefulSet") return { route: "act", candidates: [scaleTo(replicas, "medium", "; a stateful workload: its new replicas must join their peers")] };
    const full = scaleTo(replicas, replicas <= current * 2 ? "low" : "medium", wanted > replicas ? `; capped at ${MAX_STEP}× in one step` : "");
    // More than doubling is a person's call; doubling first is not, and relieves most of the load at once.
    const double = current * 2;
    return { route: "act", candidates: replicas > double ? [scaleTo(double, "low", `; a first step (doubling), ${replicas} wanted in all`), full] : [full] };
  },
};

export const scaledToZero: Playbook = {
  kind: "scaled-to-zero",
  diagnose(fs) {
    const zero = named(fs, ["workload.scaled-to-zero"])[0];
    if (!zero?.workload) return undefined;
    const mine = onWorkload(fs, zero.namespace, zero.workload);
    const previous = Number(zero.labels.previousReplicas ?? 0);
    return onWorkloadDiagnosis(
      {
        kind: "scaled-to-zero",
        confidence: confidence(0.85, mine),
        cluster: zero.cluster,
        namespace: zero.namespace,
        workload: zero.workload,
        summary: `${zero.workload} was scaled to 0 (from ${previous}); its callers get 503`,
        ruledOut: ["its callers' errors are symptoms: nothing serves them"],
        details: { workloadKind: zero.labels.workloadKind === "StatefulSet" ? "StatefulSet" : "Deployment", previousReplicas: previous, replicas: 0 },
      },
      // The callers' errors are symptoms, quoted as such.
      [...mine, ...named(fs, ERRORS).filter((f) => f.workload !== zero.workload)],
    );
  },
  candidates(d) {
    const to = d.details.previousReplicas ?? 0;
    if (!d.workload || to < 1) return { route: "escalate", reason: "the replica count before the scale-down is not known", nextStep: "scale it back by hand" };
    return {
      route: "act",
      candidates: [
        {
          action: action({ kind: "scale", cluster: d.cluster, namespace: d.namespace, target: d.workload, params: { replicas: to, from: 0, workloadKind: d.details.workloadKind === "StatefulSet" ? "StatefulSet" : "Deployment" } }),
          risk: "medium",
          why: `scale back to the ${to} replicas it had; someone scaled it down on purpose, so a person should agree`,
        },
      ],
    };
  },
};

export const noisyNeighbour: Playbook = {
  kind: "noisy-neighbour",
  diagnose(fs, ctx) {
    const pressure = fs.filter((f) => f.kind === "noisy-neighbour");
    const node = pressure.find((f) => f.node)?.node;
    if (!node) return undefined;
    const pods = ctx.nodes?.find((n) => n.name === node)?.pods ?? [];
    const unbounded = pods.filter((p) => p.memoryLimitBytes === undefined && p.workload && (p.workloadKind === "Deployment" || p.workloadKind === "StatefulSet"));
    const culprit = [...unbounded].sort((a, b) => (b.workingSetBytes ?? 0) - (a.workingSetBytes ?? 0))[0];
    return {
      kind: "noisy-neighbour",
      confidence: confidence(culprit ? 0.75 : 0.5, pressure),
      cluster: pressure[0]?.cluster ?? ctx.cluster,
      namespace: culprit?.namespace ?? "",
      node,
      ...(culprit?.workload ? { workload: culprit.workload } : {}),
      summary: `node ${node} is short of memory${culprit ? `: ${culprit.namespace}/${culprit.workload} runs there without a memory limit` : ""}`,
      evidence: [...(culprit ? [`${culprit.namespace}/${culprit.name}: no memory limit, working set ${Math.round((culprit.workingSetBytes ?? 0) / 2 ** 20)}Mi`] : []), ...pressure.flatMap((f) => [f.summary, ...f.evidence])].slice(0, 20),
      ruledOut: ["oom of the evicted pods: they were evicted for the node's sake, their own limits hold"],
      details: culprit?.workload ? { culprit: { namespace: culprit.namespace, workload: culprit.workload, workloadKind: culprit.workloadKind === "StatefulSet" ? "StatefulSet" : "Deployment" } } : {},
    };
  },
  candidates(d) {
    const c = d.details.culprit;
    if (!c) return { route: "escalate", reason: `node ${d.node ?? "?"} is under memory pressure and no pod without a limit stands out`, nextStep: "find the pod eating the node's memory (kubectl top pods --sort-by=memory) and limit it" };
    return {
      route: "act",
      candidates: [
        {
          action: action({ kind: "scale", cluster: d.cluster, namespace: c.namespace, target: c.workload, params: { replicas: 0, workloadKind: c.workloadKind } }),
          risk: "medium",
          why: `${c.namespace}/${c.workload} runs without a memory limit and starves ${d.node ?? "the node"}; stopping it protects its neighbours but stops its work`,
        },
      ],
    };
  },
};
