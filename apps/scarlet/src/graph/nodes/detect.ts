import { applyRanking } from "../../llm/hypothesis-ranker.js";
import { diagnose, planFor, toRootCause } from "../../playbooks/index.js";
import type { Diagnosis } from "../../playbooks/types.js";
import type { GraphDeps } from "../deps.js";
import { learnedRate, signatureOf } from "../learning.js";
import type { ScarletStateType, ScarletUpdate } from "../state.js";

/**
 * Names the root cause: every playbook's diagnosis of the incident's findings against the live
 * facts, the best one kept, confirmed with log and trace lines where they help a person. The
 * confidence is the evidence match times the playbook's learned success rate for this signature.
 */
export function detectNode(deps: GraphDeps) {
  return async (s: ScarletStateType): Promise<ScarletUpdate> => {
    const incident = deps.desk.view(s.incidentId);
    if (!incident) return { pause: "closed" };
    // A person's change request came with its plan: there are no findings to diagnose.
    if (s.request && s.diagnosis && s.plan) return {};
    const now = deps.now();
    const findings = deps.desk.findings(s.incidentId);
    const ctx = deps.live.playbookContext(incident.cluster, now);
    const all = diagnose(findings, ctx);
    const [best] = await ranked(deps, all, findings.map((f) => f.summary));
    if (!best) return { pause: "undiagnosed" };
    const extra = deps.gatherEvidence ? await deps.gatherEvidence(incident, findings).catch(() => []) : [];
    const diagnosis = { ...best, evidence: [...best.evidence, ...extra].slice(0, 30) };
    // Pods gone quiet on a node that is NotReady are the node's trouble: its incident handles them.
    const pods = best.details.pods ?? [];
    const node = best.workload && pods.length > 0 ? deps.live.notReadyNodeOf?.(incident.cluster, best.namespace, pods) : undefined;
    if (node !== undefined) {
      await deps.desk.update(s.incidentId, (i) => {
        i.decision = { route: "none", action: null, confidence: 0, risk: "low", reasons: [`the pods of ${best.workload} in trouble all run on node ${node}, which is NotReady: the node's incident handles them`] };
      });
      return { pause: "symptom" };
    }
    const plan = planFor(diagnosis, ctx);
    const rate = await learnedRate(deps.outcomes, best.kind, signatureOf(diagnosis), now);
    await deps.desk.update(s.incidentId, (i) => {
      i.rootCause = toRootCause(diagnosis);
      i.title = `${diagnosis.workload ? `${diagnosis.namespace}/${diagnosis.workload}` : `node ${diagnosis.node ?? "?"}`}: ${diagnosis.kind}`;
    });
    return { diagnosis, plan, learnedRate: rate.rate, confidence: diagnosis.confidence * rate.rate };
  };
}

const QUIET_KINDS = new Set(["flapping", "noise"]);

/**
 * The diagnoses in the LLM's order when one is configured. Real faults stay ahead of "nothing is
 * broken": a model may reorder the hypotheses, but never talk Scarlet out of a fault it found.
 */
async function ranked(deps: GraphDeps, all: Diagnosis[], findingsSummary: string[]): Promise<Diagnosis[]> {
  if (!deps.rank || all.length < 2) return all;
  const order = await deps.rank({ diagnoses: all, findingsSummary }).catch(() => []);
  const mine = applyRanking(all, order);
  return [...mine.filter((d) => !QUIET_KINDS.has(d.kind)), ...mine.filter((d) => QUIET_KINDS.has(d.kind))];
}
