import type { FaultKind, Finding, RootCause } from "@autodevops/shared";
import { noisyNeighbour, scaledToZero, trafficSpike } from "./capacity.js";
import { configError, diskPressure, networkPolicyBlock, quotaExceeded, roguePod, slowDependency, unschedulable } from "./escalate.js";
import { memoryLeak, oom } from "./memory.js";
import { nodeNotReady } from "./node.js";
import { flapping, noise } from "./quiet.js";
import { crashloop, dependencyDown, hungReplica } from "./restart.js";
import { badRollout, imagePull, probeFailure } from "./rollout.js";
import type { Diagnosis, Plan, Playbook, PlaybookContext } from "./types.js";

/** One playbook per fault kind of CONTRACTS.md section 3. */
export const PLAYBOOKS: Readonly<Record<FaultKind, Playbook>> = {
  crashloop,
  "bad-rollout": badRollout,
  "image-pull": imagePull,
  oom,
  "memory-leak": memoryLeak,
  "traffic-spike": trafficSpike,
  "config-error": configError,
  unschedulable,
  "node-not-ready": nodeNotReady,
  "dependency-down": dependencyDown,
  "slow-dependency": slowDependency,
  "probe-failure": probeFailure,
  "disk-pressure": diskPressure,
  flapping,
  "hung-replica": hungReplica,
  "scaled-to-zero": scaledToZero,
  "network-policy-block": networkPolicyBlock,
  "quota-exceeded": quotaExceeded,
  "noisy-neighbour": noisyNeighbour,
  "rogue-pod": roguePod,
  noise,
};

const QUIET = new Set<Diagnosis["kind"]>(["flapping", "noise"]);

/**
 * Every playbook's diagnosis of the findings, best first: a real fault before "nothing is
 * broken", then by confidence. The first is the root cause; the rest are the look-alikes.
 */
export function diagnose(findings: readonly Finding[], ctx: PlaybookContext): Diagnosis[] {
  const all = Object.values(PLAYBOOKS).flatMap((p) => p.diagnose(findings, ctx) ?? []);
  return all.sort((a, b) => Number(QUIET.has(a.kind)) - Number(QUIET.has(b.kind)) || b.confidence - a.confidence);
}

/** What to do about a diagnosis, by its kind's playbook. */
export function planFor(d: Diagnosis, ctx: PlaybookContext): Plan {
  // A change request (kind unknown) brings its own plan and never reaches here; say so if it does.
  if (d.kind === "unknown") return { route: "escalate", reason: "no playbook for an unknown kind", nextStep: "investigate" };
  return PLAYBOOKS[d.kind].candidates(d, ctx);
}

/** The diagnosis as an incident's `rootCause` (CONTRACTS.md section 5). */
export function toRootCause(d: Diagnosis): RootCause {
  return {
    kind: d.kind,
    cluster: d.cluster,
    namespace: d.namespace,
    ...(d.workload !== undefined ? { workload: d.workload } : {}),
    ...(d.node !== undefined ? { node: d.node } : {}),
    summary: d.summary,
    evidence: d.evidence,
  };
}
