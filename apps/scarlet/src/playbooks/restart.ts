import type { Finding } from "@autodevops/shared";
import { action, callersOf, calleesOf, confidence, CRASH, factsOf, LEAK, named, NOT_READY, onWorkload, onWorkloadDiagnosis, OOM, podsOf, predates, recentRollout, workloadsOf } from "./evidence.js";
import type { Candidate, Diagnosis, Plan, Playbook, PlaybookContext } from "./types.js";

/** A crashing workload with no OOM kill, no leak and no fresh rollout behind it; `undefined` when one of those explains it better. */
function plainCrash(fs: readonly Finding[], ctx: PlaybookContext) {
  for (const { namespace, workload } of workloadsOf(named(fs, CRASH))) {
    const mine = onWorkload(fs, namespace, workload);
    const crashes = named(mine, CRASH);
    const facts = factsOf(ctx, namespace, workload);
    const ruledOut: string[] = [];
    if (named(mine, OOM).length > 0 || named(mine, LEAK).length > 0) continue;
    if (recentRollout(facts, ctx) && !predates(crashes, facts)) continue;
    ruledOut.push("oom: no OOMKilled exit (137) among the crashes", "memory-leak: no climbing working set");
    if (facts?.revision !== undefined) ruledOut.push(`bad-rollout: revision ${facts.revision} is not a fresh rollout, or the crashes predate it`);
    return { namespace, workload, mine, crashes, facts, ruledOut };
  }
  return undefined;
}

/** A datastore (a StatefulSet, or something that calls nothing in the cluster) others depend on. */
function isDependency(ctx: PlaybookContext, namespace: string, workload: string, kind: string | undefined): boolean {
  const callers = callersOf(ctx, namespace, workload);
  return callers.length > 0 && (kind === "StatefulSet" || calleesOf(ctx, namespace, workload).length === 0);
}

/** Restart what holds the bad state: one pod when one crashes, else the workload (rolling). */
function restartCandidates(d: Diagnosis, ctx: PlaybookContext, what: string): Plan {
  if (!d.workload) return { route: "escalate", reason: `${what} on a pod no controller owns: deleting it would not bring it back`, nextStep: "find who created the pod" };
  const pods = d.details.pods ?? [];
  const replicas = d.details.replicas;
  const base = { cluster: d.cluster, namespace: d.namespace };
  const restart: Candidate = {
    action: action({ ...base, kind: "rollout-restart", target: d.workload, params: { workloadKind: d.details.workloadKind ?? "Deployment" } }),
    risk: "low",
    why: `rolling restart of ${d.workload} replaces every process that holds the bad state, one replica at a time`,
  };
  const deletes: Candidate[] = pods.map((pod) => ({
    action: action({ ...base, kind: "delete-pod", target: d.workload ?? pod, params: { pod } }),
    risk: "low",
    why: `deleting ${pod} lets its controller start a fresh one`,
  }));
  const onePod = pods.length === 1 && (replicas === undefined || replicas <= 1 || d.details.workloadKind === "StatefulSet");
  return { route: "act", candidates: onePod ? [...deletes, restart] : [restart, ...deletes.slice(0, 1)] };
}

export const crashloop: Playbook = {
  kind: "crashloop",
  diagnose(fs, ctx) {
    const c = plainCrash(fs, ctx);
    if (!c) return undefined;
    const dependency = isDependency(ctx, c.namespace, c.workload, c.facts?.kind ?? c.crashes[0]?.labels.workloadKind);
    const restarts = Math.max(0, ...c.crashes.map((f) => Number(f.labels.restarts ?? 0)));
    return onWorkloadDiagnosis(
      {
        kind: "crashloop",
        // A crashing datastore is better named dependency-down; the same restart cures both.
        confidence: confidence(dependency ? 0.6 : 0.75 + (restarts >= 3 ? 0.05 : 0), c.mine),
        cluster: c.mine[0]?.cluster ?? ctx.cluster,
        namespace: c.namespace,
        workload: c.workload,
        summary: `${c.workload} crash-loops (${podsOf(c.crashes).length || "its"} pods, up to ${restarts} restarts)`,
        ruledOut: c.ruledOut,
        details: { pods: podsOf(c.crashes), workloadKind: c.facts?.kind ?? (c.crashes[0]?.labels.workloadKind === "StatefulSet" ? "StatefulSet" : "Deployment"), ...(c.facts ? { replicas: c.facts.replicas } : {}) },
      },
      c.mine,
    );
  },
  candidates: (d, ctx) => restartCandidates(d, ctx, "a crash loop"),
};

export const dependencyDown: Playbook = {
  kind: "dependency-down",
  diagnose(fs, ctx) {
    const c = plainCrash(fs, ctx);
    const kind = c?.facts?.kind ?? c?.crashes[0]?.labels.workloadKind;
    if (!c || !isDependency(ctx, c.namespace, c.workload, kind)) return undefined;
    const callers = callersOf(ctx, c.namespace, c.workload);
    const symptoms = fs.filter((f) => f.workload !== undefined && callers.includes(`${f.namespace}/${f.workload}`));
    return onWorkloadDiagnosis(
      {
        kind: "dependency-down",
        confidence: confidence(0.8 + (symptoms.length > 0 ? 0.05 : 0), c.mine),
        cluster: c.mine[0]?.cluster ?? ctx.cluster,
        namespace: c.namespace,
        workload: c.workload,
        summary: `${c.workload}, which ${callers.join(", ")} depend on, is down (crash-looping)`,
        ruledOut: [...c.ruledOut, ...callers.map((x) => `${x}: a caller; its errors are symptoms of ${c.workload}, not a cause`)],
        details: { pods: podsOf(c.crashes), workloadKind: kind === "StatefulSet" ? "StatefulSet" : "Deployment", ...(c.facts ? { replicas: c.facts.replicas } : {}) },
      },
      c.mine,
      symptoms.length > 0 ? [`callers failing: ${[...new Set(symptoms.map((f) => `${f.workload} (${f.name})`))].join(", ")}`] : [],
    );
  },
  candidates: (d, ctx) => restartCandidates(d, ctx, "a dependency down"),
};

export const hungReplica: Playbook = {
  kind: "hung-replica",
  diagnose(fs, ctx) {
    // A pod Running but not Ready, or failing its readiness probe again and again (the event comes first).
    const unready = (f: Finding) => f.name === "pod.not-ready" || (f.name === "event.unhealthy" && f.pod !== undefined);
    for (const { namespace, workload } of workloadsOf(fs.filter(unready))) {
      const mine = onWorkload(fs, namespace, workload);
      const facts = factsOf(ctx, namespace, workload);
      const pods = podsOf(mine.filter(unready));
      const restarting = named(mine, [...CRASH, ...OOM]).length > 0;
      if (pods.length !== 1 || restarting || recentRollout(facts, ctx)) continue;
      const siblingsReady = facts !== undefined && facts.replicas >= 2 && facts.available >= facts.replicas - 1;
      return onWorkloadDiagnosis(
        {
          kind: "hung-replica",
          confidence: confidence((siblingsReady ? 0.8 : 0.6) - (named(mine, ["pod.not-ready"]).length > 0 ? 0 : 0.1), named(mine, NOT_READY)),
          cluster: mine[0]?.cluster ?? ctx.cluster,
          namespace,
          workload,
          summary: `one replica of ${workload} (${pods[0]}) is Running but not Ready while ${siblingsReady ? "its siblings serve" : "nothing changed"}`,
          ruledOut: ["probe-failure: no fresh rollout changed the probe, and only one pod is affected", "crashloop: the container does not restart"],
          details: { pods, workloadKind: facts?.kind ?? "Deployment", ...(facts ? { replicas: facts.replicas } : {}) },
        },
        mine,
      );
    }
    return undefined;
  },
  candidates(d) {
    const pod = d.details.pods?.[0];
    if (!pod || !d.workload) return { route: "escalate", reason: "the hung pod is not known", nextStep: "find the pod that is not Ready" };
    return { route: "act", candidates: [{ action: action({ kind: "delete-pod", cluster: d.cluster, namespace: d.namespace, target: d.workload, params: { pod } }), risk: "low", why: `${pod} is deadlocked; deleting it lets its controller replace it while the other replicas serve` }] };
  },
};
