import type { GraphDeps } from "../deps.js";
import type { ScarletStateType, ScarletUpdate } from "../state.js";

/**
 * Looks at the incident as the signals leave it now: a symptom of another incident is never
 * acted on (its root's run does the work), and a settled one takes no more work.
 */
export function monitorNode(deps: GraphDeps) {
  return async (s: ScarletStateType): Promise<ScarletUpdate> => {
    const incident = deps.desk.view(s.incidentId);
    if (!incident || ["resolved", "escalated", "failed"].includes(incident.status)) return { pause: "closed" };
    const root = deps.desk.symptomOf(s.incidentId);
    if (root !== undefined) {
      await deps.desk.update(s.incidentId, (i) => {
        i.decision = { route: "none", action: null, confidence: 0, risk: "low", reasons: [`a symptom of incident ${root}: its root cause is handled there`] };
      });
      return { pause: "symptom" };
    }
    // A new cycle: what the last one concluded is history now (the audit and the incident keep it).
    return { pause: null, attempt: s.attempt + 1, judgement: null, approvalId: null, approvalStatus: null, execution: null, verification: null, undone: null, escalation: null, outcome: null };
  };
}
