import { action, confidence, CRASH, factsOf, LEAK, memoryQuantity, named, numLabel, onWorkload, onWorkloadDiagnosis, OOM, podsOf, workloadsOf } from "./evidence.js";
import type { Playbook } from "./types.js";

const MIB = 2 ** 20;
/** The sandbox's and a sane operator's headroom: the limit at 1.5 × the working set the process needs. */
export const MEMORY_HEADROOM = 1.5;

export const oom: Playbook = {
  kind: "oom",
  diagnose(fs, ctx) {
    for (const { namespace, workload } of workloadsOf(named(fs, OOM))) {
      const mine = onWorkload(fs, namespace, workload);
      // A working set that climbs run after run is a leak: a bigger limit only delays the kill.
      if (named(mine, LEAK).length > 0) continue;
      const facts = factsOf(ctx, namespace, workload);
      const kills = named(mine, OOM);
      const limit = Math.max(0, ...numLabel(mine, "limitBytes"), ...(facts?.containers ?? []).map((c) => c.memoryLimitBytes ?? 0));
      const seen = Math.max(0, ...numLabel(mine, "workingSetBytes"), facts?.memoryPeakBytes ?? 0);
      const pinned = named(mine, ["memory.at-limit"]).length > 0 || (limit > 0 && seen >= 0.98 * limit);
      const restarts = Math.max(0, ...numLabel(named(mine, [...OOM, ...CRASH]), "restarts"));
      return onWorkloadDiagnosis(
        {
          kind: "oom",
          confidence: confidence(kills.some((f) => f.name === "pod.oomkilled") ? 0.85 : 0.7, mine),
          cluster: mine[0]?.cluster ?? ctx.cluster,
          namespace,
          workload,
          summary: `${workload} is OOMKilled (exit 137): its memory limit${limit ? ` of ${Math.round(limit / MIB)}Mi` : ""} is below what it needs`,
          ruledOut: ["crashloop: the exits are OOM kills (137), and each restart is killed again", "memory-leak: the working set does not climb run after run"],
          details: {
            workloadKind: facts?.kind ?? "Deployment",
            pods: podsOf(kills),
            ...(kills.find((f) => f.labels.container)?.labels.container ? { container: kills.find((f) => f.labels.container)?.labels.container } : {}),
            ...(limit > 0 ? { limitBytes: limit } : {}),
            ...(seen > 0 ? { workingSetBytes: seen } : {}),
            pinnedAtLimit: pinned,
          },
        },
        mine,
        [`restarts up to ${restarts}; a restart keeps the same limit, so it does not help`],
      );
    }
    return undefined;
  },
  candidates(d) {
    const { limitBytes, workingSetBytes, pinnedAtLimit, container } = d.details;
    if (!d.workload || (limitBytes === undefined && workingSetBytes === undefined)) {
      return { route: "escalate", reason: "OOM kills, but neither the limit nor the working set is known", nextStep: "read container_memory_working_set_bytes and the limit, then raise the limit to 1.5 × the working set" };
    }
    // An OOM kill proves the process needs more than its limit, and cAdvisor never reports past
    // the limit: unless a source (its logs' RSS) saw the working set above it, take twice the limit.
    const seenAbove = workingSetBytes !== undefined && (limitBytes === undefined || workingSetBytes > limitBytes);
    const need = seenAbove ? MEMORY_HEADROOM * workingSetBytes : 2 * (limitBytes ?? 0);
    const limit = memoryQuantity(need);
    return {
      route: "act",
      candidates: [
        {
          action: action({ kind: "set-resources", cluster: d.cluster, namespace: d.namespace, target: d.workload, params: { ...(container ? { container } : {}), limits: { memory: limit } } }),
          risk: "medium",
          why: `raise the memory limit${limitBytes ? ` from ${Math.round(limitBytes / MIB)}Mi` : ""} to ${limit} (≥ ${MEMORY_HEADROOM} × the working set${workingSetBytes ? ` of ${Math.round(workingSetBytes / MIB)}Mi` : ""}${pinnedAtLimit || !seenAbove ? ", which the kills show is above the limit" : ""}); it rolls the pods and takes node memory`,
        },
      ],
    };
  },
};

export const memoryLeak: Playbook = {
  kind: "memory-leak",
  diagnose(fs, ctx) {
    for (const { namespace, workload } of workloadsOf(named(fs, LEAK))) {
      const mine = onWorkload(fs, namespace, workload);
      const facts = factsOf(ctx, namespace, workload);
      const climbs = named(mine, LEAK);
      const killed = named(mine, [...OOM, ...CRASH]).length > 0;
      const rate = Math.max(0, ...numLabel(climbs, "mibPerMin"));
      return onWorkloadDiagnosis(
        {
          kind: "memory-leak",
          // A leak in the code climbs on every replica alike; one pod climbing could be its own load.
          confidence: confidence(killed ? 0.85 : podsOf(climbs).length >= 2 ? 0.8 : 0.7, mine),
          cluster: mine[0]?.cluster ?? ctx.cluster,
          namespace,
          workload,
          summary: `${workload} leaks memory: its working set climbs ~${Math.round(rate)}Mi/min${killed ? " until it is OOMKilled" : ""}`,
          ruledOut: ["oom: the working set climbs from each start rather than sitting above the limit, so a bigger limit only delays the kill"],
          details: { workloadKind: facts?.kind ?? "Deployment", pods: podsOf(climbs), ...(facts ? { replicas: facts.replicas } : {}) },
        },
        mine,
      );
    }
    return undefined;
  },
  candidates(d) {
    if (!d.workload) return { route: "escalate", reason: "a leak in a pod no controller owns", nextStep: "find the owner and fix the leak" };
    return {
      route: "act",
      candidates: [
        {
          action: action({ kind: "rollout-restart", cluster: d.cluster, namespace: d.namespace, target: d.workload, params: { workloadKind: d.details.workloadKind ?? "Deployment" } }),
          risk: "low",
          why: "a rolling restart starts every process afresh and buys time until the memory climbs again; the leak itself needs a code fix (a restart that keeps recurring spends the fix budget and escalates)",
        },
      ],
    };
  },
};
