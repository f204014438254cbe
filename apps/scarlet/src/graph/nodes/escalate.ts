import type { GraphDeps } from "../deps.js";
import { summarize } from "../summary.js";
import type { ScarletStateType, ScarletUpdate } from "../state.js";

/** Hands the incident to people with a summary they can act on; Scarlet changes nothing more on it. */
export function escalateNode(deps: GraphDeps) {
  return async (s: ScarletStateType): Promise<ScarletUpdate> => {
    const incident = await deps.desk.update(s.incidentId, (i) => {
      i.status = "escalated";
    });
    if (!incident) return { outcome: "escalated" };
    const draft = summarize(incident, s);
    const summary = deps.summarize ? await deps.summarize(incident, draft).catch(() => draft) : draft;
    await deps.audit.append({
      actor: "scarlet",
      type: "incident.escalated",
      incidentId: s.incidentId,
      cluster: incident.cluster,
      namespace: incident.namespace,
      data: { summary, why: s.escalation?.why ?? "", nextStep: s.escalation?.nextStep ?? "" },
    });
    await deps.bus?.publish("incident.closed", { incidentId: s.incidentId, status: "escalated", summary: summary.slice(0, 8000) }).catch(() => undefined);
    return { outcome: "escalated" };
  };
}
