import { createHash } from "node:crypto";
import type { Finding, Incident, RootCauseKind } from "@autodevops/shared";
import { buildCallGraph, ESTATE_CALL_GRAPH, serviceKey, type CallGraph } from "./call-graph.js";
import { classify, type FindingEvidence } from "./evidence.js";
import { familyOf, fingerprintOf, targetOf, type Target } from "./fingerprint.js";
import { addFinding, newRecord, setRoot, type IncidentRecord } from "./incident-record.js";
import { emptyEvidence, judgeRoot, KIND_SPECIFICITY, localize, mergeEvidence, type MutableEvidence, type ServiceEvidence } from "./root-cause.js";

/**
 * The incident book: findings in, incidents out. No I/O, no clock: time and ids arrive as
 * arguments. Rules:
 * - A finding seen before (the same id, or the same source, name, labels and time: a repeated
 *   Alertmanager notification) is a duplicate and changes nothing.
 * - A finding joins the open incident with its fingerprint; failing that, if a failing
 *   dependency explains it (root-cause.ts), it joins that dependency's incident as a symptom;
 *   failing that, it opens an incident.
 * - An incident opened first for a caller is absorbed (`symptomOf`) when its root shows up.
 * - After an incident is resolved, a finding for its fingerprint (or one of its symptoms')
 *   dated no later than `resolvedAt + quietMs` is stale: the tail of that occurrence (rate
 *   windows and alert `for:` lag the fix), recorded on it and ignored. One dated later is a new
 *   occurrence and opens a new incident: a new id, the same fingerprint.
 * - Open incidents of the finding's workload that the caller says it `supersedes` (the workload was
 *   deleted and created again while people held them) are closed without a tail first.
 */

export interface IncidentBookOptions {
  /** The id of a new incident; given its fingerprint, so a restarted process can take back an open incident's id. */
  newId: (fingerprint: string) => string;
  graph?: CallGraph;
  /** How long after a resolution a finding still counts as that occurrence's tail. */
  quietMs?: number;
  /**
   * The same for findings of the Kubernetes watch (default `quietMs`). The watch reports what is
   * true now, not a rate window or an alert's `for:`, so its tail after a fix is seconds long; a
   * long quiet period would swallow a new occurrence that follows soon after.
   */
  watchQuietMs?: number;
  /**
   * Whether a finding may open an incident of its own (default: all may). A flap or noise is
   * "nothing broken": it joins an incident already open for its target, and otherwise is only counted.
   */
  opens?: (f: Finding) => boolean;
  /**
   * Whether a finding is a new occurrence that the open incident of its fingerprint must not take
   * (default: never). The book cannot see it: whether people hold that incident and whether its
   * workload is still the same object are the caller's knowledge.
   */
  supersedes?: (open: Incident, f: Finding) => boolean;
  /** How long a finding's dedup keys are remembered (default 15 minutes: a storm of 5,000 a minute keeps ~75,000 short keys). */
  dedupWindowMs?: number;
}

export type IngestOutcome =
  | { type: "opened"; incident: Incident; absorbed: string[]; superseded?: Incident[] }
  | { type: "joined"; incident: Incident; asSymptom: boolean; absorbed: string[]; superseded?: Incident[] }
  | { type: "duplicate"; incidentId: string | null }
  | { type: "stale"; incidentId: string }
  | { type: "ignored"; reason: string };

/** Node faults, and the kinds of pod findings on that node they explain. */
const NODE_EXPLAINS: Partial<Record<RootCauseKind, ReadonlySet<RootCauseKind>>> = {
  "node-not-ready": new Set(["unknown", "node-not-ready", "probe-failure", "hung-replica"]),
  "noisy-neighbour": new Set(["unknown", "noisy-neighbour", "oom", "memory-leak"]),
};
const NODE_BOUND_KINDS = new Set(Object.values(NODE_EXPLAINS).flatMap((s) => [...s]));

/** A node finding's kind; for `unknown` (a stock alert), what its name says. */
function nodeKind(f: Finding): RootCauseKind {
  if (f.kind !== "unknown") return f.kind;
  if (/notready|not ready|not-ready/i.test(f.name)) return "node-not-ready";
  if (/memorypressure|memory pressure/i.test(f.name)) return "noisy-neighbour";
  return "unknown";
}

export class IncidentBook {
  readonly #graph: CallGraph;
  readonly #newId: (fingerprint: string) => string;
  readonly #quietMs: number;
  readonly #watchQuietMs: number;
  readonly #dedupMs: number;
  readonly #opens: (f: Finding) => boolean;
  readonly #supersedes: (open: Incident, f: Finding) => boolean;
  readonly #known: string[];
  readonly #byId = new Map<string, IncidentRecord>();
  readonly #open = new Map<string, IncidentRecord>();
  readonly #closed = new Map<string, IncidentRecord>();
  readonly #seen = new Map<string, { at: number; incidentId: string | null }>();
  #lastPrune = 0;

  constructor(opts: IncidentBookOptions) {
    this.#graph = opts.graph ?? buildCallGraph(ESTATE_CALL_GRAPH);
    this.#newId = opts.newId;
    this.#quietMs = opts.quietMs ?? 180_000;
    this.#watchQuietMs = opts.watchQuietMs ?? this.#quietMs;
    this.#dedupMs = opts.dedupWindowMs ?? 900_000;
    this.#opens = opts.opens ?? (() => true);
    this.#supersedes = opts.supersedes ?? (() => false);
    this.#known = [...this.#graph.services].map((k) => k.split("/")[1] ?? k);
  }

  ingest(f: Finding, now: Date): IngestOutcome {
    const keys = dedupKeys(f);
    for (const k of keys) {
      const seen = this.#seen.get(k);
      if (seen === undefined) continue;
      // An alert's own fingerprint repeats while it fires: a duplicate only while its incident is open.
      const open = seen.incidentId !== null && this.#byId.get(seen.incidentId)?.resolvedAt === undefined;
      if (!k.startsWith("alert:") || open) return { type: "duplicate", incidentId: seen.incidentId };
    }
    this.#prune(now.getTime());
    const target = targetOf(f, this.#known);
    const fp = fingerprintOf(target, familyOf(target, f.kind));
    const service = this.#serviceOf(target);
    const evidence: FindingEvidence =
      target.type === "workload" ? classify(f, service, this.#graph) : { own: true, symptoms: new Set(), explains: new Set(), blames: [], kind: nodeKind(f) };
    const nodeBound = NODE_BOUND_KINDS.has(f.kind) && (f.node ?? f.labels.node) !== undefined;
    const remember = (id: string) => keys.forEach((k) => this.#seen.set(k, { at: now.getTime(), incidentId: id }));

    // Incidents of this workload (any family) that a new occurrence supersedes close first, so it
    // neither joins them nor is taken as their symptom.
    const superseded = [...this.#open.values()]
      .filter((r) => r.target.cluster === target.cluster && r.service === service && r.symptomOf === undefined && this.#supersedes(r.incident, f))
      .flatMap((r) => this.resolve(r.incident.id, now, { tail: false }));
    let rec = this.#open.get(fp);
    if (rec === undefined) {
      const closed = this.#closed.get(fp);
      const quiet = f.source === "watch" ? this.#watchQuietMs : this.#quietMs;
      if (closed?.resolvedAt !== undefined && Date.parse(f.at) <= closed.resolvedAt + quiet && sameTrouble(closed, f)) {
        closed.stale++;
        remember(closed.incident.id);
        return { type: "stale", incidentId: closed.incident.id };
      }
    }
    let opened = false;
    let asSymptom = false;
    if (rec === undefined && target.type === "workload") {
      const nodeRoot = nodeBound ? this.#nodeRootFor(f) : undefined;
      const root = nodeRoot ?? (!evidence.own ? this.#rootRecordFor(target.cluster, service, evidence, now) : undefined);
      if (root) {
        rec = root.rec;
        opened = root.opened;
        asSymptom = true;
      }
    }
    if (rec === undefined) {
      if (!this.#opens(f)) return { type: "ignored", reason: `${f.kind} alone opens no incident` };
      rec = this.#openRecord(fp, target, service, now);
      opened = true;
    }
    addFinding(rec, f, service, evidence, nodeBound, now);
    remember(rec.incident.id);
    const absorbed = this.#relink(target.cluster, now);
    const own = absorbed.get(rec.incident.id) ?? [];
    const closed = superseded.length > 0 ? { superseded } : {};
    if (opened) return { type: "opened", incident: rec.incident, absorbed: own, ...closed };
    return { type: "joined", incident: rec.incident, asSymptom: asSymptom || rec.symptomOf !== undefined, absorbed: own, ...closed };
  }

  /**
   * Marks an incident resolved, with the incidents absorbed into it; returns them all. With
   * `tail: false` (nothing was broken: a flap, noise) later findings are not taken as its tail:
   * a real fault that follows must open its own incident.
   */
  resolve(id: string, now: Date, opts: { tail?: boolean } = {}): Incident[] {
    const rec = this.#byId.get(id);
    if (rec === undefined || rec.resolvedAt !== undefined) return [];
    const all = [rec, ...[...this.#open.values()].filter((r) => r.symptomOf === id)];
    for (const r of all) {
      r.resolvedAt = now.getTime();
      r.incident.status = "resolved";
      r.incident.resolvedAt = now.toISOString();
      r.incident.updatedAt = now.toISOString();
      this.#open.delete(r.fingerprint);
      if (opts.tail === false) continue;
      this.#closed.set(r.fingerprint, r);
      // Callers folded in as symptoms lag the fix too: their late alerts are this occurrence's tail.
      for (const s of r.evidence.keys()) {
        const t = this.#targetOfService(r.target.cluster, s);
        const sfp = t && fingerprintOf(t, "service");
        if (sfp && !this.#open.has(sfp)) this.#closed.set(sfp, r);
      }
    }
    return all.map((r) => r.incident);
  }

  get(id: string): Incident | undefined {
    return this.#byId.get(id)?.incident;
  }

  /** Incidents not yet resolved, roots and symptoms alike. */
  openIncidents(): Incident[] {
    return [...this.#open.values()].map((r) => r.incident);
  }

  /** True for an incident that another incident's root explains: it must never be acted on. */
  isSymptom(id: string): boolean {
    return this.#byId.get(id)?.symptomOf !== undefined;
  }

  /** The root incident's id (the incident itself when it is a root). */
  rootOf(id: string): string | undefined {
    const rec = this.#byId.get(id);
    return rec === undefined ? undefined : (rec.symptomOf ?? id);
  }

  /** Services folded into an incident as symptoms (graph keys), and incidents absorbed into it. */
  symptomsOf(id: string): { services: string[]; incidents: string[] } {
    const rec = this.#byId.get(id);
    if (rec === undefined) return { services: [], incidents: [] };
    const absorbed = [...this.#byId.values()].filter((r) => r.symptomOf === id);
    const services = new Set([...rec.evidence.keys(), ...absorbed.map((r) => r.service)]);
    services.delete(rec.service);
    return { services: [...services].sort(), incidents: absorbed.map((r) => r.incident.id) };
  }

  /** Whether a workload's trouble is, right now, a symptom of another open incident: do not act on it. */
  isSymptomTarget(cluster: string, namespace: string, workload: string): boolean {
    const service = this.#graph.resolve(workload, namespace) ?? serviceKey(namespace, workload);
    const own = this.#recordOfService(cluster, service);
    if (own !== undefined) return own.symptomOf !== undefined;
    return this.#active(cluster).some((r) => r.service !== service && r.evidence.has(service));
  }

  #openRecord(fp: string, target: Target, service: string, now: Date): IncidentRecord {
    const rec = newRecord(this.#newId(fp), fp, target, service, now);
    this.#byId.set(rec.incident.id, rec);
    this.#open.set(fp, rec);
    return rec;
  }

  #serviceOf(target: Target): string {
    if (target.type === "workload") return this.#graph.resolve(target.workload, target.namespace) ?? serviceKey(target.namespace, target.workload);
    return target.type === "node" ? `node:${target.node}` : `ns:${target.namespace}`;
  }

  #targetOfService(cluster: string, service: string): Target | undefined {
    const [namespace, workload] = service.split("/");
    return namespace !== undefined && workload !== undefined ? { type: "workload", cluster, namespace, workload } : undefined;
  }

  #active(cluster: string): IncidentRecord[] {
    return [...this.#open.values()].filter((r) => r.target.cluster === cluster);
  }

  /** An open node incident that explains this pod finding (a pod gone Unknown on a NotReady node). */
  #nodeRootFor(f: Finding): { rec: IncidentRecord; opened: boolean } | undefined {
    const node = f.node ?? f.labels.node;
    const rec = node === undefined ? undefined : this.#open.get(fingerprintOf({ type: "node", cluster: f.cluster, node }, "node"));
    const kinds = rec?.evidence.get(rec.service)?.ownKinds ?? new Set<RootCauseKind>();
    return rec && [...kinds].some((k) => NODE_EXPLAINS[k]?.has(f.kind)) ? { rec, opened: false } : undefined;
  }

  #evidenceOf(cluster: string, extra?: [string, ServiceEvidence]): Map<string, ServiceEvidence> {
    const merged = new Map<string, MutableEvidence>();
    const add = (s: string, e: ServiceEvidence) => {
      const m = merged.get(s) ?? emptyEvidence();
      mergeEvidence(m, e);
      merged.set(s, m);
    };
    for (const r of this.#active(cluster)) for (const [s, e] of r.evidence) if (r.target.type === "workload") add(s, e);
    if (extra) add(extra[0], extra[1]);
    return merged;
  }

  /** The open (or, for a silent root, newly opened) incident of the failing dependency that explains a symptom. */
  #rootRecordFor(cluster: string, service: string, e: FindingEvidence, now: Date): { rec: IncidentRecord; opened: boolean } | undefined {
    const probe: ServiceEvidence = { ownKinds: new Set(), explains: new Set(), symptoms: e.symptoms, symptomKinds: new Set([e.kind]), blames: new Set(e.blames) };
    const loc = localize(this.#graph, this.#evidenceOf(cluster, [service, probe]));
    const root = loc.rootOf(service);
    const t = root === service ? undefined : this.#targetOfService(cluster, root);
    if (t === undefined) return undefined;
    const fp = fingerprintOf(t, "service");
    const rec = this.#open.get(fp);
    if (rec !== undefined) return { rec: this.#byId.get(rec.symptomOf ?? "") ?? rec, opened: false };
    return { rec: this.#openRecord(fp, t, root, now), opened: true };
  }

  /** Re-runs localization over a cluster's open incidents: links symptoms to roots, writes root causes. */
  #relink(cluster: string, now: Date): Map<string, string[]> {
    const evidence = this.#evidenceOf(cluster);
    const loc = localize(this.#graph, evidence);
    const active = this.#active(cluster);
    const absorbed = new Map<string, string[]>();
    const failingNodes = new Set(active.filter((r) => r.target.type === "node").map((r) => r.service));
    for (const r of active) {
      if (r.target.type !== "workload") continue;
      const own = r.evidence.get(r.service);
      const node = own?.nodeBound ? [...own.nodes].find((n) => failingNodes.has(`node:${n}`)) : undefined;
      const root = node !== undefined ? this.#open.get(fingerprintOf({ type: "node", cluster, node }, "node")) : this.#recordOfService(cluster, loc.rootOf(r.service));
      const rootId = root && root !== r ? (root.symptomOf ?? root.incident.id) : undefined;
      if (rootId !== undefined && rootId !== r.incident.id) {
        if (r.symptomOf !== rootId) absorbed.set(rootId, [...(absorbed.get(rootId) ?? []), r.incident.id]);
        r.symptomOf = rootId;
      } else delete r.symptomOf;
    }
    for (const r of active) this.#writeRoot(r, active, evidence, now);
    return absorbed;
  }

  #recordOfService(cluster: string, service: string): IncidentRecord | undefined {
    const t = this.#targetOfService(cluster, service);
    return t && this.#open.get(fingerprintOf(t, "service"));
  }

  #writeRoot(r: IncidentRecord, active: IncidentRecord[], evidence: Map<string, ServiceEvidence>, now: Date): void {
    const root = r.symptomOf === undefined ? r : this.#byId.get(r.symptomOf);
    if (root === undefined) return;
    const callers = new Set([...root.evidence.keys(), ...active.filter((a) => a.symptomOf === root.incident.id).map((a) => a.service)]);
    callers.delete(root.service);
    const verdict =
      root.target.type === "workload"
        ? judgeRoot(this.#graph, root.service, evidence.get(root.service), [...callers].sort())
        : { kind: KIND_SPECIFICITY.find((k) => root.evidence.get(root.service)?.ownKinds.has(k)) ?? "unknown", summary: `${root.service.replace(":", " ")} is failing` };
    const before = JSON.stringify(r.incident.rootCause);
    setRoot(r, root.target, verdict);
    if (r !== root) r.incident.title = `${r.incident.title} (symptom of ${root.incident.id})`;
    if (JSON.stringify(r.incident.rootCause) !== before) r.incident.updatedAt = now.toISOString();
  }

  #prune(now: number): void {
    if (now - this.#lastPrune < this.#dedupMs / 10) return;
    this.#lastPrune = now;
    for (const [k, v] of this.#seen) if (now - v.at > this.#dedupMs) this.#seen.delete(k);
    for (const [fp, r] of this.#closed) if ((r.resolvedAt ?? now) + this.#quietMs < now) this.#closed.delete(fp);
    for (const [id, r] of this.#byId) if (r.resolvedAt !== undefined && r.resolvedAt < now - this.#dedupMs) this.#byId.delete(id);
  }
}

/** Kinds that say "something is off" without naming a fault: a fix's lagging symptoms are of these. */
const GENERIC_KINDS: ReadonlySet<RootCauseKind> = new Set(["unknown", "flapping", "noise"]);

/**
 * Whether a finding can be the tail of a resolved incident: a generic symptom (errors, latency
 * lagging in a rate window) or a kind that incident already had. A different fault named on
 * the same workload right after a fix (a traffic spike after a leak's restart) is new trouble.
 */
function sameTrouble(closed: IncidentRecord, f: Finding): boolean {
  if (GENERIC_KINDS.has(f.kind) || closed.incident.rootCause?.kind === f.kind) return true;
  return [...closed.evidence.values()].some((e) => e.ownKinds.has(f.kind) || e.symptomKinds.has(f.kind));
}

/**
 * A finding's identities: its id; its content (the same observation reported twice); and for
 * an alert, Alertmanager's fingerprint of it (`labels.fingerprint`), which every repeated
 * notification of that alert carries whatever time the detector stamped on it.
 */
export function dedupKeys(f: Finding): string[] {
  const labels = Object.keys(f.labels)
    .sort()
    .map((k) => `${k}=${f.labels[k]}`)
    .join(",");
  const keys = [`id:${f.id}`, `c:${f.source}|${f.name}|${f.cluster}|${f.namespace}|${f.workload ?? ""}|${f.pod ?? ""}|${f.node ?? ""}|${f.at}|${labels}`];
  const am = f.source === "alertmanager" ? f.labels.fingerprint : undefined;
  if (am) keys.push(`alert:${f.cluster}|${am}|${f.labels.startsAt ?? ""}`);
  // Hashed so that a storm's keys stay small; the prefix says which rule a key follows.
  return keys.map((k) => `${k.slice(0, k.indexOf(":"))}:${createHash("sha1").update(k).digest("base64url")}`);
}
