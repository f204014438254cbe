import type { Action } from "@autodevops/shared";
import type { TargetFacts } from "./policy-inputs.js";

/** How much of a workload one action takes down at once, as a share of its desired replicas. */
export type Blast = { known: true; share: number; detail: string } | { known: false; detail: string };

/** Kubernetes' default rolling update: at most 25 % unavailable, rounded down. */
const defaultMaxUnavailable = (replicas: number) => Math.floor(replicas * 0.25);
const pct = (share: number) => `${Math.round(share * 100)} %`;
const of = (down: number, replicas: number): Blast => {
  const share = replicas > 0 ? Math.min(1, down / replicas) : down > 0 ? 1 : 0;
  return { known: true, share, detail: `${down} of ${replicas} replicas (${pct(share)})` };
};

/**
 * The share of Ready replicas the action disrupts. Pods that are not Ready (crash-looping,
 * Pending) serve nothing, so deleting one disrupts nothing; what the facts do not say is unknown.
 */
export function blastRadius(action: Action, facts: TargetFacts | undefined): Blast {
  if (action.kind === "cordon-node") return { known: true, share: 0, detail: "cordoning takes no pod down" };
  if (action.kind === "scale") {
    const from = action.params.from ?? (facts?.kind === "workload" ? facts.replicas : undefined);
    if (from === undefined) return { known: false, detail: "scale without the current replica count" };
    return of(Math.max(0, from - action.params.replicas), from);
  }
  if (action.kind === "drain-node") {
    if (facts?.kind !== "node") return { known: false, detail: "drain without the node's workloads" };
    let worst: Blast = { known: true, share: 0, detail: "no Ready pods of any workload on the node" };
    for (const w of facts.workloads) {
      const b = of(w.readyOnNode, w.replicas);
      if (b.known && worst.known && b.share > worst.share) worst = { ...b, detail: `${w.namespace}/${w.name}: ${b.detail}` };
    }
    return worst;
  }
  if (facts?.kind !== "workload") return { known: false, detail: `${action.kind} without the workload's replicas` };
  if (action.kind === "delete-pod") return of(facts.readyPods.includes(action.params.pod) ? 1 : 0, facts.replicas);
  // rollout-restart, rollback, set-resources roll the pods: at most maxUnavailable Ready pods at once.
  const maxUnavailable = facts.maxUnavailable ?? defaultMaxUnavailable(facts.replicas);
  return of(Math.min(facts.readyPods.length, maxUnavailable), facts.replicas);
}
