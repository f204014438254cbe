import type { Finding } from "@autodevops/shared";
import { finding, type FindingDraft } from "./finding.js";
import { heldFor, type Entry } from "./history.js";
import type { WorkloadObject } from "./observations.js";
import { clusterMs, type DetectorSettings } from "./settings.js";

type WorkloadObs = { type: "workload"; cluster: string; workload: WorkloadObject };

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
export const CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause";

const secs = (ms: number) => `${Math.round(ms / 1000)}s`;
const wanted = (w: WorkloadObject) => w.spec?.replicas ?? 1;
const available = (w: WorkloadObject) => (w.kind === "StatefulSet" ? w.status?.readyReplicas : w.status?.availableReplicas) ?? 0;
/** The controller has seen the latest spec but not every replica runs it yet. */
const rolling = (w: WorkloadObject) => (w.status?.observedGeneration ?? 0) >= (w.metadata.generation ?? 0) && (w.status?.updatedReplicas ?? 0) < wanted(w);

/** Revision, change-cause and replica counts as labels and evidence, for the playbooks. */
function facts(w: WorkloadObject) {
  const revision = w.metadata.annotations?.[REVISION_ANNOTATION];
  const cause = w.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION];
  const labels: Record<string, string> = { workloadKind: w.kind ?? "Deployment", replicas: String(wanted(w)), available: String(available(w)), updated: String(w.status?.updatedReplicas ?? 0) };
  if (revision !== undefined) labels.revision = revision;
  if (cause !== undefined) labels.changeCause = cause;
  const line = `${w.kind ?? "Deployment"} ${w.metadata.name}: ${available(w)}/${wanted(w)} available, ${w.status?.updatedReplicas ?? 0} updated${revision ? `, revision ${revision}` : ""}${cause ? ` (change-cause "${cause}")` : ""}`;
  return { labels, line };
}

/** Findings from a Deployment's or StatefulSet's status: scaled to zero, a stalled rollout, replicas missing. */
export function detectWorkload(o: WorkloadObs, entries: readonly Entry[], now: Date, s: DetectorSettings): Finding[] {
  const w = o.workload;
  const { labels, line } = facts(w);
  const base = { source: "watch" as const, cluster: o.cluster, namespace: w.metadata.namespace ?? "default", workload: w.metadata.name };
  const drafts: FindingDraft[] = [];

  const before = [...entries].reverse().find((e) => e.obs.type === "workload" && wanted(e.obs.workload) > 0);
  if (wanted(w) === 0 && before?.obs.type === "workload") {
    const previous = wanted(before.obs.workload);
    drafts.push({ ...base, name: "workload.scaled-to-zero", kind: "scaled-to-zero", severity: "critical", summary: `${w.metadata.name} was scaled from ${previous} to 0 replicas`, evidence: [`spec.replicas ${previous} -> 0`, line], labels: { ...labels, previousReplicas: String(previous) } });
  }

  const deadline = w.status?.conditions?.find((c) => c.type === "Progressing" && c.status === "False" && c.reason === "ProgressDeadlineExceeded");
  const stalledFor = heldFor(entries, o, now, (x) => rolling(x.workload) && available(x.workload) < wanted(x.workload));
  if (deadline || (stalledFor !== undefined && stalledFor >= clusterMs(s, s.hold.rolloutStalledS))) {
    drafts.push({ ...base, name: "workload.rollout-stalled", kind: "unknown", severity: "warning", summary: `the rollout of ${w.metadata.name} is not progressing`, evidence: [line, deadline ? `Progressing=False ProgressDeadlineExceeded: ${deadline.message ?? ""}` : `rollout incomplete for ${secs(stalledFor ?? 0)}`], labels });
  }

  const shortFor = heldFor(entries, o, now, (x) => wanted(x.workload) > 0 && available(x.workload) < wanted(x.workload));
  if (shortFor !== undefined && shortFor >= clusterMs(s, s.hold.unavailableS)) {
    drafts.push({ ...base, name: "workload.replicas-unavailable", kind: "unknown", severity: available(w) === 0 ? "critical" : "warning", summary: `${w.metadata.name} has ${available(w)} of ${wanted(w)} replicas available`, evidence: [line, `short of replicas for ${secs(shortFor)}`], labels });
  }
  return drafts.map((d) => finding(d, now));
}
