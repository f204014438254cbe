import type { RootCauseKind } from "@autodevops/shared";
import type { CallGraph } from "./call-graph.js";
import type { FindingEvidence, SymptomClass } from "./evidence.js";

/**
 * Root-cause localization over the call graph. A service whose own pods fail is a root. A
 * service that only shows symptoms (errors, latency) is a symptom of the deepest failing
 * dependency below it whose evidence explains those symptoms: a crashing redis-cart explains
 * cart's and checkout's 5xx. A callee that callers blame but that reports nothing itself (a
 * NetworkPolicy dropping its traffic) is a root too, a silent one. When in doubt a caller's
 * generic symptoms go to a failing dependency: acting on a caller for its dependency's fault is
 * the worse mistake, and the dependency's incident carries the callers' evidence to a human.
 */

/** Everything the open incidents hold about one service, merged. */
export interface ServiceEvidence {
  readonly ownKinds: ReadonlySet<RootCauseKind>;
  readonly explains: ReadonlySet<SymptomClass>;
  readonly symptoms: ReadonlySet<SymptomClass>;
  /** The kinds detectors gave its symptom findings (flapping, noise, slow-dependency, unknown). */
  readonly symptomKinds: ReadonlySet<RootCauseKind>;
  readonly blames: ReadonlySet<string>;
}

export type MutableEvidence = { ownKinds: Set<RootCauseKind>; explains: Set<SymptomClass>; symptoms: Set<SymptomClass>; symptomKinds: Set<RootCauseKind>; blames: Set<string> };

export function emptyEvidence(): MutableEvidence {
  return { ownKinds: new Set(), explains: new Set(), symptoms: new Set(), symptomKinds: new Set(), blames: new Set() };
}

/** Folds a service's evidence into another's (the same service seen by several incidents). */
export function mergeEvidence(into: MutableEvidence, e: ServiceEvidence): void {
  e.ownKinds.forEach((x) => into.ownKinds.add(x));
  e.explains.forEach((x) => into.explains.add(x));
  e.symptoms.forEach((x) => into.symptoms.add(x));
  e.symptomKinds.forEach((x) => into.symptomKinds.add(x));
  e.blames.forEach((x) => into.blames.add(x));
}

/** Folds one finding's evidence into a service's. */
export function addEvidence(into: MutableEvidence, e: FindingEvidence): void {
  if (e.own) {
    into.ownKinds.add(e.kind);
    for (const c of e.explains) into.explains.add(c);
  } else {
    into.symptomKinds.add(e.kind);
    for (const c of e.symptoms) into.symptoms.add(c);
  }
  for (const b of e.blames) into.blames.add(b);
}

export interface Localization {
  /** The root service of a service with evidence (itself when it is a root). */
  rootOf(service: string): string;
  /** A service whose trouble a failing dependency explains: it must never be acted on. */
  isSymptom(service: string): boolean;
}

const isOwn = (e: ServiceEvidence | undefined): boolean => e !== undefined && e.ownKinds.size > 0;

/** What a failing service causes in its callers: its own fault's effects, or what it shows (a timeout upstream is a 5xx too). */
function explainsOf(e: ServiceEvidence): ReadonlySet<SymptomClass> {
  if (isOwn(e)) return e.explains;
  const out = new Set(e.symptoms);
  if (out.has("latency")) out.add("errors");
  // Load flows down the calls, never up: a busy callee does not send its callers more requests.
  out.delete("load");
  return out;
}

/** In-cluster services above `from` (its callers, theirs, …), with their distance. */
function ancestors(graph: CallGraph, from: string): Map<string, number> {
  const depth = new Map<string, number>();
  let frontier = [from];
  for (let d = 1; frontier.length > 0; d++) {
    const next: string[] = [];
    for (const s of frontier)
      for (const c of graph.callers(s)) {
        if (depth.has(c) || c === from) continue;
        depth.set(c, d);
        next.push(c);
      }
    frontier = next;
  }
  return depth;
}

const covers = (have: ReadonlySet<SymptomClass>, need: ReadonlySet<SymptomClass>) => [...need].every((c) => have.has(c));

/** In-cluster services below `from`, with their distance. */
function descendants(graph: CallGraph, from: string): Map<string, number> {
  const depth = new Map<string, number>();
  let frontier = [from];
  for (let d = 1; frontier.length > 0; d++) {
    const next: string[] = [];
    for (const s of frontier)
      for (const c of graph.callees(s)) {
        if (graph.external.has(c) || depth.has(c) || c === from) continue;
        depth.set(c, d);
        next.push(c);
      }
    frontier = next;
  }
  return depth;
}

export function localize(graph: CallGraph, evidence: ReadonlyMap<string, ServiceEvidence>): Localization {
  const memo = new Map<string, string>();
  const visiting = new Set<string>();

  const rootOf = (service: string): string => {
    const known = memo.get(service);
    if (known !== undefined) return known;
    const e = evidence.get(service);
    if (e === undefined || isOwn(e) || visiting.has(service)) return service;
    visiting.add(service);
    if (e.symptoms.size === 1 && e.symptoms.has("load")) {
      // More requests only: the topmost caller that has more requests too is where the spike came in.
      const up = ancestors(graph, service);
      const sources = [...up.keys()].filter((a) => evidence.get(a)?.symptoms.has("load") === true || evidence.get(a)?.ownKinds.has("traffic-spike") === true);
      sources.sort((a, b) => (up.get(b) ?? 0) - (up.get(a) ?? 0) || a.localeCompare(b));
      const top = sources[0];
      const root = top === undefined ? service : rootOf(top);
      visiting.delete(service);
      memo.set(service, root);
      return root;
    }
    const depth = descendants(graph, service);
    const blamed = [...e.blames].filter((b) => depth.has(b));
    // A blamed callee is the strongest pointer there is; without one, any failing descendant that explains the symptoms.
    const explainers =
      blamed.length > 0 ? blamed : [...depth.keys()].filter((d) => { const de = evidence.get(d); return de !== undefined && covers(explainsOf(de), e.symptoms); });
    const roots = [...new Set(explainers.map(rootOf))].filter((r) => r !== service);
    roots.sort((a, b) => (depth.get(b) ?? 0) - (depth.get(a) ?? 0) || a.localeCompare(b));
    visiting.delete(service);
    const root = roots[0] ?? service;
    memo.set(service, root);
    return root;
  };
  return { rootOf, isSymptom: (service) => evidence.has(service) && rootOf(service) !== service };
}

/** The most specific kind first: a bad rollout explains a crashloop, not the other way round. */
export const KIND_SPECIFICITY: readonly RootCauseKind[] = [
  "bad-rollout", "image-pull", "config-error", "probe-failure", "oom", "memory-leak", "dependency-down", "hung-replica",
  "scaled-to-zero", "traffic-spike", "network-policy-block", "slow-dependency", "disk-pressure", "quota-exceeded",
  "unschedulable", "crashloop", "node-not-ready", "noisy-neighbour", "rogue-pod", "flapping", "noise", "unknown",
];

export interface RootVerdict {
  kind: RootCauseKind;
  summary: string;
}

/**
 * The kind and a one-line summary for a root service: its own findings' most specific kind; for
 * a root whose own reading is unknown but whose callers suffer, dependency-down; for a silent
 * root, network-policy-block (callers cannot reach it and it sees nothing); for a root with only
 * symptoms that calls something outside the cluster, slow-dependency (nothing inside cures it).
 */
export function judgeRoot(graph: CallGraph, service: string, e: ServiceEvidence | undefined, symptomCallers: readonly string[]): RootVerdict {
  const name = service.split("/").pop() ?? service;
  const callers = symptomCallers.length > 0 ? `; ${symptomCallers.join(", ")} suffer${symptomCallers.length === 1 ? "s" : ""} from it` : "";
  if (e === undefined) {
    return { kind: "network-policy-block", summary: `${service} is unreachable from its callers and reports no trouble of its own${callers}` };
  }
  if (isOwn(e)) {
    const kind = KIND_SPECIFICITY.find((k) => e.ownKinds.has(k)) ?? "unknown";
    if (kind === "unknown" && symptomCallers.length > 0) return { kind: "dependency-down", summary: `${name} is failing${callers}` };
    return { kind, summary: `${name}: ${kind}${callers}` };
  }
  const external = [...e.blames, ...graph.callees(service)].filter((c) => graph.external.has(c));
  if (external.length > 0 && e.symptoms.has("latency") && !e.symptomKinds.has("flapping")) {
    return { kind: "slow-dependency", summary: `${name} waits on ${[...new Set(external)].join(", ")} outside the cluster${callers}` };
  }
  const kind = KIND_SPECIFICITY.find((k) => e.symptomKinds.has(k)) ?? "unknown";
  const words = [...e.symptoms].map((c) => (c === "load" ? "more requests than usual" : c));
  return { kind, summary: `${name} shows ${words.join(" and ")} of its own${kind === "unknown" ? "" : ` (${kind})`}${callers}` };
}
