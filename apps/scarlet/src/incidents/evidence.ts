import type { Finding, RootCauseKind } from "@autodevops/shared";
import type { CallGraph } from "./call-graph.js";

/**
 * What one finding says about its service, for localization: is it a fault of the service
 * itself (`own`: its pods crash, its rollout is bad), or a symptom that a failing dependency
 * could cause (`symptoms`: errors, latency)? And which callee, if any, does it blame?
 */

/** `load`: more requests than usual, which a caller's spike passes down to what it calls. */
export type SymptomClass = "errors" | "latency" | "load";

export interface FindingEvidence {
  /** A fault of the service itself, which no dependency explains. */
  own: boolean;
  /** Symptoms it shows that a failing dependency could explain (empty when `own`). */
  symptoms: ReadonlySet<SymptomClass>;
  /** What the fault, when `own`, causes in the service's callers. */
  explains: ReadonlySet<SymptomClass>;
  /** Callees it blames (graph keys or external names), from labels, evidence lines and the summary. */
  blames: readonly string[];
  /** When `own`: the finding's kind, or for `unknown` the kind its name points at (still `unknown` if none). */
  kind: RootCauseKind;
}

const BOTH: ReadonlySet<SymptomClass> = new Set(["errors", "latency"]);
const ERRORS: ReadonlySet<SymptomClass> = new Set(["errors"]);
const LATENCY: ReadonlySet<SymptomClass> = new Set(["latency"]);
const NONE: ReadonlySet<SymptomClass> = new Set();
const LOAD: ReadonlySet<SymptomClass> = new Set(["load"]);

/**
 * Kinds that are the service's own fault, and what each causes upstream. A dependency-down or
 * network-policy-block finding that blames a callee is the caller's view of it: a symptom.
 */
const OWN_KINDS: Partial<Record<RootCauseKind, ReadonlySet<SymptomClass>>> = {
  crashloop: BOTH,
  "bad-rollout": BOTH,
  "image-pull": BOTH,
  oom: BOTH,
  "memory-leak": BOTH,
  "traffic-spike": BOTH,
  "config-error": BOTH,
  unschedulable: BOTH,
  "dependency-down": BOTH,
  "probe-failure": BOTH,
  "hung-replica": BOTH,
  "scaled-to-zero": BOTH,
  "network-policy-block": BOTH,
  "quota-exceeded": NONE,
  "disk-pressure": BOTH,
  "node-not-ready": BOTH,
  "noisy-neighbour": BOTH,
  "rogue-pod": NONE,
};
const BLAMING_KINDS: ReadonlySet<RootCauseKind> = new Set(["dependency-down", "network-policy-block"]);

/** Names (alerts, detectors) of a service's own trouble, for findings of kind `unknown`. */
const OWN_NAME =
  /crash ?loop|oom|notready|not ready|not-ready|replicasmismatch|replicas[- ]unavailable|rollout|imagepull|errimage|containerwaiting|createcontainer|backoff|evict|failedscheduling|unschedul|unhealthy|probe|throttl|memory|quota|disk|volume/i;
/** For own findings of kind `unknown`: the kind the alert's or detector's name points at. */
const KIND_HINTS: ReadonlyArray<[RegExp, RootCauseKind]> = [
  [/crash ?loop|backoff/i, "crashloop"],
  [/oom/i, "oom"],
  [/imagepull|errimage/i, "image-pull"],
  [/createcontainer/i, "config-error"],
  [/failedscheduling|unschedul/i, "unschedulable"],
  [/quota/i, "quota-exceeded"],
  [/disk|volume/i, "disk-pressure"],
  [/probe/i, "probe-failure"],
];
const hintedKind = (name: string): RootCauseKind => KIND_HINTS.find(([re]) => re.test(name))?.[1] ?? "unknown";

const TIMEOUT = /time ?out|timed out|deadline exceeded/i;
const ERROR_WORDS = /error|5xx|\b50[0-4]\b|fail|refused|unavailable|unreachable|reset/i;
const LATENCY_WORDS = /latency|slow|p99|p95|duration/i;

function symptomsIn(text: string): Set<SymptomClass> {
  const out = new Set<SymptomClass>();
  if (TIMEOUT.test(text)) return new Set(BOTH);
  if (ERROR_WORDS.test(text)) out.add("errors");
  if (LATENCY_WORDS.test(text)) out.add("latency");
  return out;
}

// `peer.service` is the OpenTelemetry attribute the sandbox's CLIENT spans carry.
const BLAME_LABELS = ["upstream", "dependency", "peer.service", "peer_service", "peer", "callee", "upstream_service"] as const;
const SVC_DNS = /\b([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc(?:\.cluster\.local)?\b/g;

/** The callees of `service` a finding blames; only the service's own callees count (it mentions itself too). */
export function blamedCallees(f: Finding, service: string, graph: CallGraph): string[] {
  const callees = new Set(graph.callees(service));
  const out = new Set<string>();
  const consider = (name: string, namespace?: string) => {
    const key = graph.external.has(name) ? name : graph.resolve(name, namespace ?? f.namespace);
    if (key !== undefined && key !== service && callees.has(key)) out.add(key);
  };
  for (const l of BLAME_LABELS) {
    const v = f.labels[l];
    if (!v) continue;
    const host = v.replace(/^[a-z]+:\/\//, "").split(/[:/]/)[0] ?? v;
    const [name, namespace] = host.split(".");
    if (name) consider(name, host.includes(".svc") ? namespace : undefined);
  }
  for (const text of [f.summary, ...f.evidence]) {
    for (const m of text.matchAll(SVC_DNS)) if (m[1] && m[2]) consider(m[1], m[2]);
    for (const ext of graph.external) if (text.includes(ext)) consider(ext);
  }
  return [...out];
}

/** Classifies a finding about `service` (a graph key). */
export function classify(f: Finding, service: string, graph: CallGraph): FindingEvidence {
  const blames = blamedCallees(f, service, graph);
  // More requests alone is not a fault of the service: a caller's spike reaches its callees too.
  if (f.name === "metric.request-rate-anomaly") return { own: false, symptoms: LOAD, explains: NONE, blames: [], kind: f.kind };
  const text = `${f.name} ${f.summary}`;
  const ownExplains = OWN_KINDS[f.kind];
  if (ownExplains !== undefined && !(BLAMING_KINDS.has(f.kind) && blames.length > 0)) {
    return { own: true, symptoms: NONE, explains: ownExplains, blames, kind: f.kind };
  }
  if (f.kind === "unknown" && blames.length === 0 && OWN_NAME.test(f.name)) {
    return { own: true, symptoms: NONE, explains: BOTH, blames, kind: hintedKind(f.name) };
  }
  if (f.kind === "slow-dependency") return { own: false, symptoms: LATENCY, explains: NONE, blames, kind: f.kind };
  const shown = symptomsIn(text);
  for (const line of f.evidence) for (const c of symptomsIn(line)) shown.add(c);
  // A symptom we cannot read is taken as errors: it still needs a failing dependency to explain it.
  return { own: false, symptoms: shown.size > 0 ? shown : ERRORS, explains: NONE, blames, kind: f.kind };
}
