import type { GraphDeps } from "../deps.js";
import { reportToPullRequest } from "../gitops-change.js";
import { LEARNING_WINDOW_MS, signatureOf } from "../learning.js";
import { summarize } from "../summary.js";
import type { ScarletStateType, ScarletUpdate } from "../state.js";

/**
 * Records what came of the fix for the playbook and signature (the learned success rate reads
 * it), counts a fix that had already worked here before as a recurrence (a leak restarted again
 * and again loses the right to auto-fix), and closes a healthy incident with its summary.
 */
export function learnNode(deps: GraphDeps) {
  return async (s: ScarletStateType): Promise<ScarletUpdate> => {
    const d = s.diagnosis;
    const e = s.execution;
    const now = deps.now();
    // Superseded: someone changed the target before the fix could be judged; it teaches nothing either way.
    // A person's request teaches no playbook: it was not Scarlet's diagnosis.
    if (d && e && !s.verification?.superseded && !s.request) {
      const signature = signatureOf(d);
      const fixed = s.verification?.healthy === true;
      const before = await deps.outcomes.tally(d.kind, signature, LEARNING_WINDOW_MS, now);
      await deps.outcomes.record({ playbook: d.kind, signature, actionKind: e.action.kind, outcome: fixed ? "succeeded" : "failed", incidentId: s.incidentId, at: now });
      // The third time the same fix is needed on the same target, it is a recurrence, not bad luck.
      if (fixed && before.succeeded >= 2) await deps.outcomes.record({ playbook: d.kind, signature, actionKind: e.action.kind, outcome: "recurred", incidentId: s.incidentId, at: now });
    }
    if (s.outcome === "escalated") {
      await reportToPullRequest(deps, s.approvalId, `the incident went to people: ${s.escalation?.why ?? "see the incident"}`);
      return {};
    }
    const healthy = s.verification?.healthy === true || s.verification?.superseded === true || s.judgement?.route === "none";
    if (!healthy) return {};
    if (s.verification) await reportToPullRequest(deps, s.approvalId, `verified, the incident is resolved: ${s.verification.detail}`);
    // Nothing broken (a flap): a real fault right after is a new incident, not this one's tail.
    await deps.desk.resolve(s.incidentId, { tail: s.judgement?.route !== "none" });
    const incident = deps.desk.view(s.incidentId);
    if (incident) {
      const draft = summarize(incident, s);
      const summary = deps.summarize ? await deps.summarize(incident, draft).catch(() => draft) : draft;
      await deps.audit.append({ actor: "scarlet", type: "incident.resolved", incidentId: s.incidentId, cluster: incident.cluster, namespace: incident.namespace, data: { summary } });
      await deps.bus?.publish("incident.closed", { incidentId: s.incidentId, status: "resolved", summary: summary.slice(0, 8000) }).catch(() => undefined);
    }
    return { outcome: s.judgement?.route === "none" ? "nothing-broken" : "resolved" };
  };
}
