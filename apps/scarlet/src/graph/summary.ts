import type { Incident } from "@autodevops/shared";
import type { ScarletStateType } from "./state.js";

/**
 * The incident in words for people (Slack, the portal, Jamie's memory): what is wrong, the
 * evidence, what Scarlet did and did not do and why, and the next step. Built from data only.
 */
export function summarize(incident: Incident, s: ScarletStateType): string {
  const rc = incident.rootCause;
  const lines: string[] = [];
  const where = rc ? `${rc.cluster}/${rc.namespace || "-"}/${rc.workload ?? rc.node ?? "?"}` : `${incident.cluster}/${incident.namespace}`;
  lines.push(`What is wrong: ${rc ? `${rc.kind} on ${where}: ${rc.summary}` : incident.title}`);
  const evidence = (s.diagnosis?.evidence ?? rc?.evidence ?? []).slice(0, 8);
  if (evidence.length > 0) lines.push("Evidence:", ...evidence.map((e) => `- ${e}`));
  const signals = incident.signals.slice(0, 6).map((x) => `${x.source} ${x.name}`);
  if (signals.length > 0) lines.push(`Signals: ${signals.join(", ")}`);
  const done = incident.actions.filter((a) => a.status === "succeeded").map((a) => `${a.kind} on ${a.target}${a.kind === "delete-pod" ? ` (${a.params.pod})` : ""} by ${a.by}`);
  const notDone = incident.actions.filter((a) => a.status !== "succeeded").map((a) => `${a.kind} on ${a.target}: ${a.status}`);
  lines.push(`What Scarlet did: ${done.length > 0 ? done.join("; ") : "nothing on the cluster"}`);
  if (notDone.length > 0) lines.push(`Not done: ${notDone.join("; ")}`);
  if (incident.decision) lines.push(`Decision: ${incident.decision.route} (confidence ${Math.round(incident.decision.confidence * 100)} %, risk ${incident.decision.risk})`, ...incident.decision.reasons.slice(-4).map((r) => `- ${r}`));
  if (s.verification) lines.push(`Verification: ${s.verification.detail}`);
  if (s.escalation) lines.push(`Why people are needed: ${s.escalation.why}`, `Suggested next step: ${s.escalation.nextStep}`);
  return lines.join("\n");
}
