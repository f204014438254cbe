import type { AuditStore, EventBus, Finding, Incident, Logger } from "@autodevops/shared";
import { IncidentBook, type IngestOutcome } from "../incidents/correlator.js";
import type { CallGraph } from "../incidents/call-graph.js";
import type { IncidentDesk } from "../graph/deps.js";
import type { IncidentStore } from "../store/incident-store.js";

/** Fields the graph owns; the correlator owns the rest (signals, severity, root cause until diagnosed). */
type Overlay = Partial<Pick<Incident, "status" | "decision" | "actions" | "rootCause" | "title" | "resolvedAt" | "openedAt">>;

const MAX_FINDINGS = 300;
const FLUSH_MS = 200;

export interface DeskOptions {
  store: IncidentStore;
  audit: Pick<AuditStore, "append">;
  bus?: Pick<EventBus, "publish">;
  log: Logger;
  now: () => Date;
  newId: () => string;
  graph?: CallGraph;
  quietMs?: number;
  watchQuietMs?: number;
  /**
   * The identity (uid) of a workload as the watch sees it now, undefined when it is gone. An
   * incident people hold (escalated, failed) does not take findings about a workload of the same
   * name created after it: that is a new occurrence and opens a new incident.
   */
  subjectOf?: (cluster: string, namespace: string, workload: string) => string | undefined;
}

/** Statuses where the graph is done and people hold the incident. */
const HELD = new Set<Incident["status"]>(["escalated", "failed"]);

/**
 * The incidents of this process: the correlator's book (findings in, incidents out) plus what
 * the graph wrote (status, decision, actions, diagnosed root cause), persisted in Postgres and
 * announced on the bus. Incidents left open by an earlier process are adopted: a finding with
 * the same fingerprint takes back their id, so a restart does not open a second incident.
 */
export class Desk implements IncidentDesk {
  readonly #book: IncidentBook;
  readonly #opts: DeskOptions;
  readonly #overlays = new Map<string, Overlay>();
  readonly #findings = new Map<string, Finding[]>();
  readonly #lastFindingAt = new Map<string, number>();
  readonly #lastWatchFindingAt = new Map<string, number>();
  readonly #adopted = new Map<string, Incident>();
  /** Per incident, the uid its workload had when the incident first took a finding about it. */
  readonly #subjects = new Map<string, string>();
  readonly #dirty = new Set<string>();
  #flushTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(opts: DeskOptions) {
    this.#opts = opts;
    this.#book = new IncidentBook({
      newId: (fp) => {
        const adopted = this.#adopted.get(fp);
        if (adopted) {
          this.#adopted.delete(fp);
          return adopted.id;
        }
        return opts.newId();
      },
      ...(opts.graph ? { graph: opts.graph } : {}),
      ...(opts.quietMs !== undefined ? { quietMs: opts.quietMs } : {}),
      ...(opts.watchQuietMs !== undefined ? { watchQuietMs: opts.watchQuietMs } : {}),
      // A flap or noise is nothing broken: it may join an open incident, never open one.
      opens: (f) => f.kind !== "flapping" && f.kind !== "noise",
      supersedes: (open) => HELD.has(this.view(open.id)?.status ?? open.status) && this.replaced(open.id),
    });
  }

  /** Whether the workload an incident is about was deleted, or deleted and created again, since the incident took it. */
  replaced(id: string): boolean {
    const i = this.view(id);
    const was = this.#subjects.get(id);
    if (!i?.workload || was === undefined || !this.#opts.subjectOf) return false;
    return this.#opts.subjectOf(i.cluster, i.namespace, i.workload) !== was;
  }

  #noteSubject(i: Incident): void {
    if (!i.workload || this.#subjects.has(i.id)) return;
    const uid = this.#opts.subjectOf?.(i.cluster, i.namespace, i.workload);
    if (uid !== undefined) this.#subjects.set(i.id, uid);
  }

  /** Takes in the unsettled incidents a previous process left. */
  adopt(incidents: readonly Incident[]): void {
    for (const i of incidents) {
      this.#adopted.set(i.fingerprint, i);
      this.#overlays.set(i.id, { status: i.status, decision: i.decision, actions: i.actions, rootCause: i.rootCause, title: i.title, openedAt: i.openedAt });
    }
  }

  /**
   * An incident no finding opened: a person's change request. It is kept like an adopted one (its
   * fingerprint is its own, so no finding ever joins it), persisted and announced.
   */
  async register(i: Incident): Promise<void> {
    this.adopt([i]);
    await this.#save(i.id);
    this.#opts.log.info({ incidentId: i.id, title: i.title }, "change request opened");
    await this.#opts.audit.append({ actor: "scarlet", type: "incident.opened", incidentId: i.id, cluster: i.cluster, namespace: i.namespace, data: { fingerprint: i.fingerprint, title: i.title } }).catch(() => undefined);
    await this.#opts.bus?.publish("incident.updated", { incidentId: i.id, status: i.status }).catch(() => undefined);
  }

  /** One finding into the book; returns the outcome and persists what it changed. */
  ingest(f: Finding): IngestOutcome {
    const now = this.#opts.now();
    const out = this.#book.ingest(f, now);
    if (out.type === "opened" || out.type === "joined") {
      const id = out.incident.id;
      if (out.superseded) void this.#closeSuperseded(out.superseded, now);
      this.#noteSubject(out.incident);
      const list = this.#findings.get(id) ?? [];
      list.push(f);
      if (list.length > MAX_FINDINGS) list.splice(0, list.length - MAX_FINDINGS);
      this.#findings.set(id, list);
      this.#lastFindingAt.set(id, now.getTime());
      if (f.source === "watch") this.#lastWatchFindingAt.set(id, now.getTime());
      this.#markDirty(id);
      for (const a of out.absorbed) this.#markDirty(a);
      if (out.type === "opened") {
        this.#opts.log.info({ incidentId: id, title: out.incident.title, finding: f.name }, "incident opened");
        void this.#opts.audit
          .append({ actor: "scarlet", type: "incident.opened", incidentId: id, cluster: f.cluster, namespace: f.namespace, data: { fingerprint: out.incident.fingerprint, finding: f.name, summary: f.summary } })
          .catch(() => undefined);
      }
    }
    return out;
  }

  view(id: string): Incident | undefined {
    const base = this.#book.get(id) ?? [...this.#adopted.values()].find((i) => i.id === id);
    if (!base) return undefined;
    const o = this.#overlays.get(id) ?? {};
    const status = o.status ?? base.status;
    const symptomOf = this.symptomOf(id);
    const { symptomOf: _was, ...rest } = base;
    return {
      ...rest,
      ...(symptomOf ? { symptomOf } : {}),
      ...(o.rootCause ? { rootCause: o.rootCause } : {}),
      ...(o.title ? { title: o.title } : {}),
      ...(o.openedAt ? { openedAt: o.openedAt } : {}),
      decision: o.decision ?? base.decision,
      actions: o.actions ?? base.actions,
      status,
      ...(o.resolvedAt ?? base.resolvedAt ? { resolvedAt: o.resolvedAt ?? base.resolvedAt } : {}),
    };
  }

  findings(id: string): Finding[] {
    const own = this.#findings.get(id) ?? [];
    const symptoms = this.#book.symptomsOf(id).incidents.flatMap((s) => this.#findings.get(s) ?? []);
    return [...own, ...symptoms];
  }

  symptomOf(id: string): string | undefined {
    const root = this.#book.rootOf(id);
    return root !== undefined && root !== id ? root : undefined;
  }

  lastFindingAt(id: string, opts: { watchOnly?: boolean } = {}): number {
    const of = opts.watchOnly ? this.#lastWatchFindingAt : this.#lastFindingAt;
    return Math.max(of.get(id) ?? 0, ...this.#book.symptomsOf(id).incidents.map((s) => of.get(s) ?? 0));
  }

  openIds(): string[] {
    return this.#book.openIncidents().map((i) => i.id);
  }

  async update(id: string, change: (i: Incident) => void): Promise<Incident | undefined> {
    const current = this.view(id);
    if (!current) return undefined;
    const next = structuredClone(current);
    change(next);
    next.updatedAt = this.#opts.now().toISOString();
    const o = this.#overlays.get(id) ?? {};
    this.#overlays.set(id, { ...o, status: next.status, decision: next.decision, actions: next.actions, ...(next.rootCause ? { rootCause: next.rootCause } : {}), title: next.title });
    await this.#save(id);
    if (current.status !== next.status) {
      await this.#opts.bus?.publish("incident.updated", { incidentId: id, status: next.status }).catch(() => undefined);
      await this.#opts.audit.append({ actor: "scarlet", type: "incident.updated", incidentId: id, cluster: next.cluster, namespace: next.namespace, data: { from: current.status, to: next.status } }).catch(() => undefined);
    }
    return this.view(id);
  }

  /** Closes an incident and the symptoms folded into it; an escalated one keeps its status. */
  async resolve(id: string, opts: { tail?: boolean } = {}): Promise<void> {
    const now = this.#opts.now();
    const closed = this.#book.resolve(id, now, opts);
    await this.#settle(closed.length > 0 ? closed : [{ id }], now);
  }

  /** An escalated incident whose workload was replaced: the book closed it, a new one took the finding. */
  async #closeSuperseded(closed: readonly Incident[], now: Date): Promise<void> {
    await this.#settle(closed, now);
    const root = closed[0];
    if (!root) return;
    this.#opts.log.info({ incidentId: root.id }, "incident closed: its workload was created again");
    await this.#opts.audit
      .append({ actor: "scarlet", type: "incident.resolved", incidentId: root.id, cluster: root.cluster, namespace: root.namespace, data: { reason: "its workload was deleted and created again; new findings open a new incident", status: this.view(root.id)?.status ?? null } })
      .catch(() => undefined);
  }

  async #settle(closed: readonly Pick<Incident, "id">[], now: Date): Promise<void> {
    for (const i of closed) {
      const o = this.#overlays.get(i.id) ?? {};
      const settled = o.status !== undefined && HELD.has(o.status);
      this.#overlays.set(i.id, { ...o, status: settled ? o.status : "resolved", resolvedAt: now.toISOString() });
      await this.#save(i.id);
      await this.#opts.bus?.publish("incident.updated", { incidentId: i.id, status: settled ? (o.status ?? "resolved") : "resolved" }).catch(() => undefined);
    }
  }

  /**
   * Closes incidents whose signals stopped `quietMs` ago and that nothing is working on (escalated
   * ones people have, undiagnosed ones that cleared on their own), so that the next occurrence opens
   * a new incident rather than joining an old one. Returns the ids closed.
   */
  async closeQuiet(quietMs: number, busy: (id: string) => boolean): Promise<string[]> {
    const now = this.#opts.now().getTime();
    const closed: string[] = [];
    for (const id of this.openIds()) {
      const v = this.view(id);
      if (!v || busy(id) || !["open", "escalated", "failed"].includes(v.status) || this.symptomOf(id) !== undefined) continue;
      if (now - this.lastFindingAt(id) < quietMs) continue;
      // No tail: its signals have been silent for `quietMs` already, so whatever comes next on its
      // services (a slow dependency on a callee a traffic spike had folded in) is new trouble.
      await this.resolve(id, { tail: false });
      closed.push(id);
      await this.#opts.audit
        .append({ actor: "scarlet", type: "incident.resolved", incidentId: id, cluster: v.cluster, namespace: v.namespace, data: { reason: `no signal for ${Math.round(quietMs / 1000)} s`, status: v.status } })
        .catch(() => undefined);
    }
    return closed;
  }

  #markDirty(id: string): void {
    this.#dirty.add(id);
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flushing = this.#flushing.then(() => this.flush());
    }, FLUSH_MS);
  }

  /** Writes every changed incident (the correlator changes them at storm rates: batched). */
  async flush(): Promise<void> {
    const ids = [...this.#dirty];
    this.#dirty.clear();
    for (const id of ids) await this.#save(id);
  }

  async #save(id: string): Promise<void> {
    const v = this.view(id);
    if (!v) return;
    try {
      await this.#opts.store.save(v);
    } catch (e) {
      this.#opts.log.warn({ err: e, incidentId: id }, "incident not saved");
      this.#dirty.add(id);
    }
  }

  async close(): Promise<void> {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    await this.#flushing;
    await this.flush();
  }
}
