import type { Finding } from "@autodevops/shared";
import { action, confidence, CRASH, ERRORS, factsOf, IMAGE_PULL, named, NOT_READY, onWorkload, onWorkloadDiagnosis, OOM, predates, recentRollout, ROLLOUT_STALLED, workloadsOf } from "./evidence.js";
import type { Diagnosis, Plan, Playbook, PlaybookContext, WorkloadFacts } from "./types.js";

const revisionLine = (f: WorkloadFacts) => `revision ${f.revision ?? "?"} rolled out at ${f.revisionAt ?? "?"}${f.changeCause ? ` (change-cause "${f.changeCause}")` : ""}`;

/** Back to the revision before: a template change is undone as kubectl rollout undo does it. */
function rollbackPlan(d: Diagnosis, what: string): Plan {
  if (!d.workload || d.details.workloadKind === "StatefulSet") return { route: "escalate", reason: `${what}, but there is no Deployment revision to go back to`, nextStep: "revert the change in its source (GitOps) and redeploy" };
  const to = d.details.toRevision;
  return {
    route: "act",
    candidates: [
      {
        action: action({ kind: "rollback", cluster: d.cluster, namespace: d.namespace, target: d.workload, params: to !== undefined ? { toRevision: to } : {} }),
        risk: "medium",
        why: `${what}; the previous revision${to !== undefined ? ` (${to})` : ""} ran healthy, so rolling back restores it (it changes the running version: a person should agree)`,
      },
    ],
  };
}

/** The workload whose fresh rollout the `symptoms` followed, with its facts. */
function afterRollout(fs: readonly Finding[], ctx: PlaybookContext, symptoms: readonly string[]) {
  for (const { namespace, workload } of workloadsOf(named(fs, symptoms))) {
    const facts = factsOf(ctx, namespace, workload);
    const mine = onWorkload(fs, namespace, workload);
    if (facts && recentRollout(facts, ctx) && !predates(named(mine, symptoms), facts)) return { namespace, workload, facts, mine };
  }
  return undefined;
}

const rollbackDetails = (f: WorkloadFacts) => {
  const to = f.previousRevision ?? (f.revision !== undefined && f.revision > 1 ? f.revision - 1 : undefined);
  return { workloadKind: f.kind, replicas: f.replicas, ...(to !== undefined ? { toRevision: to } : {}) };
};

export const badRollout: Playbook = {
  kind: "bad-rollout",
  diagnose(fs, ctx) {
    const r = afterRollout(fs, ctx, [...CRASH, ...ERRORS]);
    if (!r || named(r.mine, [...IMAGE_PULL, ...OOM]).length > 0) return undefined;
    const healthyBefore = r.facts.previousHealthy !== false;
    const crash = named(r.mine, CRASH).length > 0;
    return onWorkloadDiagnosis(
      {
        kind: "bad-rollout",
        confidence: confidence(healthyBefore ? 0.8 : 0.5, r.mine),
        cluster: r.mine[0]?.cluster ?? ctx.cluster,
        namespace: r.namespace,
        workload: r.workload,
        summary: `${r.workload} ${crash ? "crashes" : "fails requests"} since revision ${r.facts.revision ?? "?"}${r.facts.changeCause ? ` ("${r.facts.changeCause}")` : ""}`,
        ruledOut: ["crashloop: the failures began with the new revision, so restarting it would run the same bad code", ...(healthyBefore ? [] : ["(the previous revision was not healthy either: less sure)"])],
        details: rollbackDetails(r.facts),
      },
      r.mine,
      [revisionLine(r.facts), healthyBefore ? "the previous revision ran without findings" : "the previous revision had findings too"],
    );
  },
  candidates: (d) => rollbackPlan(d, "the new revision is bad"),
};

export const imagePull: Playbook = {
  kind: "image-pull",
  diagnose(fs, ctx) {
    const waiting = fs.filter((f) => IMAGE_PULL.includes(f.name) || (f.name === "KubeContainerWaiting" && f.kind === "image-pull"));
    const target = workloadsOf(waiting)[0];
    if (!target) return undefined;
    const facts = factsOf(ctx, target.namespace, target.workload);
    const mine = onWorkload(fs, target.namespace, target.workload);
    const rolled = recentRollout(facts, ctx);
    return onWorkloadDiagnosis(
      {
        kind: "image-pull",
        confidence: confidence(rolled ? 0.85 : 0.7, mine),
        cluster: mine[0]?.cluster ?? ctx.cluster,
        namespace: target.namespace,
        workload: target.workload,
        summary: `new pods of ${target.workload} cannot pull their image${waiting[0]?.labels.image ? ` ${waiting[0].labels.image}` : ""}`,
        ruledOut: ["crashloop: the container never starts, so there is nothing to restart"],
        details: facts ? rollbackDetails(facts) : { workloadKind: "Deployment" },
      },
      mine,
      facts ? [revisionLine(facts)] : [],
    );
  },
  candidates: (d) => rollbackPlan(d, "the rollout names an image that cannot be pulled"),
};

export const probeFailure: Playbook = {
  kind: "probe-failure",
  diagnose(fs, ctx) {
    const r = afterRollout(fs, ctx, [...NOT_READY, ...ROLLOUT_STALLED]);
    if (!r || named(r.mine, [...CRASH, ...OOM, ...IMAGE_PULL]).length > 0 || named(r.mine, NOT_READY).length === 0) return undefined;
    const probe404 = r.mine.some((f) => /probe failed.*(404|not found)/i.test(f.evidence.join(" ")));
    return onWorkloadDiagnosis(
      {
        kind: "probe-failure",
        confidence: confidence(probe404 ? 0.85 : 0.75, r.mine),
        cluster: r.mine[0]?.cluster ?? ctx.cluster,
        namespace: r.namespace,
        workload: r.workload,
        summary: `pods of ${r.workload}'s revision ${r.facts.revision ?? "?"} never become Ready`,
        ruledOut: ["hung-replica: every new pod is affected, since a rollout"],
        details: rollbackDetails(r.facts),
      },
      r.mine,
      [revisionLine(r.facts)],
    );
  },
  candidates: (d) => rollbackPlan(d, "the new revision's pods never pass their readiness probe"),
};
