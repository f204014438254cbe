import type { Finding, RootCauseKind, Severity, SignalSource } from "@autodevops/shared";

/** What a detector fills in; the id and time come from the subject and `now`. */
export type FindingDraft = {
  source: SignalSource;
  name: string;
  cluster: string;
  namespace: string;
  workload?: string | undefined;
  pod?: string | undefined;
  node?: string | undefined;
  kind: RootCauseKind;
  severity: Severity;
  summary: string;
  evidence: string[];
  labels?: Record<string, string>;
  /** What tells two observations of the same subject apart (an alert's fingerprint); part of the id. */
  discriminator?: string;
};

/** A finding with a stable id: the same observation at the same time gives the same id. */
export function finding(d: FindingDraft, now: Date): Finding {
  const subject = [d.cluster, d.namespace, d.workload ?? "", d.pod ?? d.node ?? ""].join("/");
  const at = now.toISOString();
  const f: Finding = {
    id: `${d.name}:${subject}${d.discriminator ? `#${d.discriminator}` : ""}@${at}`,
    source: d.source,
    name: d.name,
    cluster: d.cluster,
    namespace: d.namespace,
    kind: d.kind,
    severity: d.severity,
    summary: d.summary,
    evidence: d.evidence,
    labels: d.labels ?? {},
    at,
  };
  if (d.workload !== undefined) f.workload = d.workload;
  if (d.pod !== undefined) f.pod = d.pod;
  if (d.node !== undefined) f.node = d.node;
  return f;
}
