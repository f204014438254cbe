import { diagnose, planFor, toRootCause } from "../../playbooks/index.js";
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
    const now = deps.now();
    const findings = deps.desk.findings(s.incidentId);
    const ctx = deps.live.playbookContext(incident.cluster, now);
    const [best] = diagnose(findings, ctx);
    if (!best) return { pause: "undiagnosed" };
    const extra = deps.gatherEvidence ? await deps.gatherEvidence(incident, findings).catch(() => []) : [];
    const diagnosis = { ...best, evidence: [...best.evidence, ...extra].slice(0, 30) };
    const plan = planFor(diagnosis, ctx);
    const rate = await learnedRate(deps.outcomes, best.kind, signatureOf(diagnosis), now);
    await deps.desk.update(s.incidentId, (i) => {
      i.rootCause = toRootCause(diagnosis);
      i.title = `${diagnosis.workload ? `${diagnosis.namespace}/${diagnosis.workload}` : `node ${diagnosis.node ?? "?"}`}: ${diagnosis.kind}`;
    });
    return { diagnosis, plan, learnedRate: rate.rate, confidence: diagnosis.confidence * rate.rate };
  };
}
