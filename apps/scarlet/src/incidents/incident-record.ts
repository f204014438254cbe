import type { Finding, Incident, RootCause, Severity, Signal } from "@autodevops/shared";
import type { FindingEvidence } from "./evidence.js";
import type { Target } from "./fingerprint.js";
import { addEvidence, emptyEvidence, type MutableEvidence, type RootVerdict } from "./root-cause.js";

/** A service's evidence inside one incident, plus where its pods ran (for node faults). */
export type RecordEvidence = MutableEvidence & {
  nodes: Set<string>;
  /** Every finding could be its node's doing (a pod gone Unknown on a NotReady node). */
  nodeBound: boolean;
};

/** The correlator's bookkeeping for one incident; `incident` is what the API shows. */
export interface IncidentRecord {
  incident: Incident;
  fingerprint: string;
  target: Target;
  /** The target's key in the call graph (workload targets) or `node:<name>`. */
  service: string;
  /** Per service key: the target's own evidence, and that of the callers attached as symptoms. */
  evidence: Map<string, RecordEvidence>;
  /** Set when this incident is a symptom of another (the root's id): never act on it. */
  symptomOf?: string;
  resolvedAt?: number;
  findings: number;
  stale: number;
  signalKeys: Set<string>;
  lines: string[];
}

const MAX_SIGNALS = 50;
const MAX_LINES = 20;

export function newRecord(id: string, fingerprint: string, target: Target, service: string, now: Date): IncidentRecord {
  const at = now.toISOString();
  const where =
    target.type === "workload" ? { namespace: target.namespace, workload: target.workload } : target.type === "node" ? { namespace: "", node: target.node } : { namespace: target.namespace };
  return {
    incident: {
      id,
      fingerprint,
      cluster: target.cluster,
      ...where,
      title: `${describe(target)}: under investigation`,
      severity: "warning",
      status: "open",
      signals: [],
      rootCause: null,
      decision: null,
      actions: [],
      openedAt: at,
      updatedAt: at,
    },
    fingerprint,
    target,
    service,
    evidence: new Map(),
    findings: 0,
    stale: 0,
    signalKeys: new Set(),
    lines: [],
  };
}

export function describe(target: Target): string {
  if (target.type === "workload") return `${target.namespace}/${target.workload}`;
  if (target.type === "node") return `node ${target.node}`;
  return `namespace ${target.namespace}`;
}

const maxSeverity = (a: Severity, b: Severity): Severity => (a === "critical" || b === "critical" ? "critical" : "warning");

/** Adds a finding to a record, under the service it is about (the target's own, or a caller's as a symptom). */
export function addFinding(rec: IncidentRecord, f: Finding, service: string, e: FindingEvidence | undefined, nodeBound: boolean, now: Date): void {
  rec.findings++;
  rec.incident.updatedAt = now.toISOString();
  rec.incident.severity = maxSeverity(rec.incident.severity, f.severity);
  const signalKey = `${f.source}|${f.name}`;
  if (!rec.signalKeys.has(signalKey) && rec.incident.signals.length < MAX_SIGNALS) {
    rec.signalKeys.add(signalKey);
    const signal: Signal = { source: f.source, name: f.name, at: f.at };
    rec.incident.signals.push(signal);
  }
  const where = f.pod ?? f.labels.pod ?? service;
  for (const line of [`${f.source} ${f.name} on ${where}: ${f.summary}`, ...f.evidence.slice(0, 3)]) {
    if (rec.lines.length < MAX_LINES && !rec.lines.includes(line)) rec.lines.push(line);
  }
  let ev = rec.evidence.get(service);
  if (ev === undefined) {
    ev = { ...emptyEvidence(), nodes: new Set(), nodeBound: true };
    rec.evidence.set(service, ev);
  }
  if (e !== undefined) addEvidence(ev, e);
  const node = f.node ?? f.labels.node;
  if (node) ev.nodes.add(node);
  ev.nodeBound &&= nodeBound;
}

/** Writes the localization's verdict into the incident's root cause and title. */
export function setRoot(rec: IncidentRecord, rootTarget: Target, verdict: RootVerdict): void {
  const rootCause: RootCause = {
    kind: verdict.kind,
    cluster: rootTarget.cluster,
    namespace: rootTarget.type === "node" ? "" : rootTarget.namespace,
    ...(rootTarget.type === "workload" ? { workload: rootTarget.workload } : {}),
    ...(rootTarget.type === "node" ? { node: rootTarget.node } : {}),
    summary: verdict.summary,
    evidence: [...rec.lines],
  };
  rec.incident.rootCause = rootCause;
  rec.incident.title = `${describe(rootTarget)}: ${verdict.kind}`;
}
