import { AUTO_MIN_CONFIDENCE } from "../../policy/decision-matrix.js";
import { judge, type Judgement } from "../../policy/guardrails.js";
import { toPolicyPlan, type PlaybookAnswer } from "../../policy/from-playbook.js";
import { PolicyContext } from "../../policy/policy-inputs.js";
import type { GraphDeps } from "../deps.js";
import { policyContextFor } from "../policy-context.js";
import type { ScarletStateType, ScarletUpdate } from "../state.js";

/**
 * The decision matrix and the guardrails (policy/guardrails.ts) over each of the playbook's
 * candidates, best route kept. Only the plan's action, risk and confidence reach the rules: the
 * words of logs, alerts or a model never do. Every decision is audited with its reasons.
 */
export function decideNode(deps: GraphDeps) {
  return async (s: ScarletStateType): Promise<ScarletUpdate> => {
    const d = s.diagnosis;
    const plan = s.plan;
    if (!d || !plan) return { pause: "undiagnosed" };
    const now = deps.now();
    const answer: PlaybookAnswer = plan.route === "act" ? { route: "act", candidates: plan.candidates } : { route: plan.route };
    const count = plan.route === "act" ? Math.max(1, plan.candidates.length) : 1;
    // The playbook lists its candidates best first (a drain before a mere cordon): the first one the
    // policy lets run, alone or with a human, is the decision; only when every one escalates is the first kept.
    let best: Judgement | undefined;
    for (let i = 0; i < count; i++) {
      const p = toPolicyPlan({ incidentId: s.incidentId, kind: d.kind, confidence: s.confidence }, answer, i);
      const ctx = p.action ? await policyContextFor(deps, p.action) : PolicyContext.parse({ settings: deps.policy.settings });
      const j = judge(p, ctx, now);
      best ??= j;
      if (j.route !== "escalate") {
        best = j;
        break;
      }
    }
    if (!best) return { pause: "undiagnosed" };
    // A low-risk fix held back only by a confidence still short of acting alone: the evidence is
    // often still arriving (a crash loop's third restart), so look again before asking a human.
    const opened = Date.parse(deps.desk.view(s.incidentId)?.openedAt ?? now.toISOString());
    if (best.route === "approval" && best.risk === "low" && best.limitsHit.length === 0 && best.confidence < AUTO_MIN_CONFIDENCE && now.getTime() - opened < deps.evidenceWaitMs) {
      return { pause: "deferred" };
    }
    const pct = (x: number) => `${Math.round(x * 100)} %`;
    const reasons = [
      `diagnosis: ${d.kind} (${d.summary}), evidence match ${pct(d.confidence)}, learned success rate ${pct(s.learnedRate)}`,
      ...d.ruledOut.slice(0, 4).map((r) => `ruled out ${r}`),
      ...best.reasons,
    ];
    const decision = { route: best.route, action: best.action, confidence: best.confidence, risk: best.risk, reasons };
    await deps.audit.append({
      actor: "scarlet",
      type: "decision.made",
      incidentId: s.incidentId,
      cluster: d.cluster,
      namespace: d.namespace,
      data: { route: best.route, action: best.action, confidence: best.confidence, risk: best.risk, reasons, limitsHit: best.limitsHit, dryRun: best.dryRun },
    });
    if (best.retryable) {
      deps.log.info({ incidentId: s.incidentId, reasons: best.reasons }, "decision deferred: the target or Scarlet is busy");
      return { judgement: best, pause: "deferred" };
    }
    await deps.desk.update(s.incidentId, (i) => {
      i.decision = decision;
    });
    const escalation =
      best.route === "escalate"
        ? plan.route === "escalate"
          ? { why: plan.reason, nextStep: plan.nextStep }
          : { why: best.reasons[best.reasons.length - 1] ?? "the policy does not allow acting alone", nextStep: best.action ? `review and, if right, apply ${best.action.kind} on ${best.action.target} by hand` : "investigate" }
        : null;
    return { judgement: best, escalation };
  };
}
