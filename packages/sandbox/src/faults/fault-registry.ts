import { err, ok, type Logger, type Result } from "@autodevops/shared";
import type { MutationLog } from "../api/mutation-log.js";
import type { ContainerBehaviour, ContainerContext } from "../controllers/container-behaviour.js";
import { imageNotFoundMessage } from "../controllers/image-ref.js";
import { describeIssues } from "../control/requests.js";
import type { ServiceModifier } from "../telemetry/telemetry-modifiers.js";
import type { ContainerFaultEffect } from "./fault-effects.js";
import { createFaultBehaviour, type FaultEffectSource } from "./fault-behaviour.js";
import { FAULT_KINDS, FaultKind, FaultRequest } from "./fault-kinds.js";
import type { ActiveFault, Fault } from "./fault-model.js";
import type { AnyFaultKindDef, FaultCluster, InjectContext } from "./kind-def.js";
import { FAULT_DEFS } from "./kinds/index.js";

export type { FaultCluster } from "./kind-def.js";

/** The user a simulated API call is recorded as when the request names nobody (`params.by`). */
const DEFAULT_BY = "ci-bot";

export type FaultRegistryDeps = {
  mutations: Pick<MutationLog, "record" | "since">;
  now: () => Date;
  newId: () => string;
  log: Pick<Logger, "info" | "warn">;
};

export type InjectFailure = {
  code: "invalid_request" | "unknown_kind" | "not_simulated" | "unknown_cluster" | "unknown_target" | "bad_params";
  message: string;
};

/**
 * Seam for metric-side effects (error rates, latency, memory curves): the telemetry model may
 * subscribe to learn which faults are on. The registry does not depend on telemetry.
 */
export type FaultListener = (event: { type: "injected" | "cured" | "cleared"; fault: Fault }) => void;

/** How often cures are checked when `start()` runs the detector (compressed time makes cures quick). */
const CURE_CHECK_MS = 100;

/**
 * The faults of every cluster: injects them, feeds their effects to each cluster's container
 * behaviour, and marks them cured from the cluster's own state. Clusters join with
 * `addCluster` once their store and node health exist; `behaviour(base)` must be handed to
 * `startControllers` of each cluster.
 */
export class FaultRegistry implements FaultEffectSource {
  readonly #clusters = new Map<string, FaultCluster>();
  readonly #faults = new Map<string, ActiveFault>();
  /** Tags that were pushed by a fault and never built: they stay missing after it ends. */
  readonly #missingImages = new Map<string, string>();
  readonly #listeners = new Set<FaultListener>();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: FaultRegistryDeps) {}

  addCluster(cluster: FaultCluster): void {
    this.#clusters.set(cluster.name, cluster);
  }

  /** A cluster's container behaviour: `base` (the default one) unless a fault applies. */
  behaviour(base: ContainerBehaviour): ContainerBehaviour {
    return createFaultBehaviour(base, this);
  }

  onChange(listener: FaultListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  inject(request: unknown): Result<Fault, InjectFailure> {
    const parsed = FaultRequest.safeParse(request);
    if (!parsed.success) return err({ code: "invalid_request", message: describeIssues(parsed.error) });
    const req = parsed.data;
    const kind = FaultKind.safeParse(req.kind);
    if (!kind.success) return err({ code: "unknown_kind", message: `unknown fault kind "${req.kind}"; known kinds: ${FAULT_KINDS.join(", ")}` });
    const def = FAULT_DEFS[kind.data];
    if (!def) return err({ code: "not_simulated", message: `fault kind ${kind.data} is not simulated yet` });
    const cluster = this.#clusters.get(req.cluster);
    if (!cluster) return err({ code: "unknown_cluster", message: `unknown cluster "${req.cluster}"; known: ${[...this.#clusters.keys()].join(", ")}` });
    if (def.targetsNode !== true && req.namespace === "") return err({ code: "invalid_request", message: `namespace: required for ${kind.data}` });
    const params = def.params.safeParse(req.params);
    if (!params.success) return err({ code: "bad_params", message: `bad params for ${kind.data}: ${describeIssues(params.error)}` });
    const at = this.deps.now();
    const done = def.inject(this.#injectContext(cluster, req.namespace, req.target, at), params.data);
    if (!done.ok) return done;
    const message = typeof req.params.message === "string" ? req.params.message : undefined;
    const fault: ActiveFault = {
      id: this.deps.newId(),
      kind: kind.data,
      cluster: req.cluster,
      namespace: req.namespace,
      target: req.target,
      params: req.params,
      injectedAt: at.toISOString(),
      cured: false,
      state: done.value.state,
      message,
      own: done.value.own,
    };
    if (done.value.badImage !== undefined) this.#missingImages.set(done.value.badImage, message ?? imageNotFoundMessage(done.value.badImage));
    this.#faults.set(fault.id, fault);
    this.deps.log.info({ faultId: fault.id, kind: fault.kind, cluster: fault.cluster, namespace: fault.namespace, target: fault.target }, "fault injected");
    this.#emit("injected", fault);
    return ok(publicView(fault));
  }

  /** Every fault, cured or not, with cures checked just now. */
  list(): Fault[] {
    this.checkCures();
    return [...this.#faults.values()].map(publicView);
  }

  /** Ends a fault and takes back what it changed; false when there is no such fault. */
  clear(id: string): boolean {
    const f = this.#faults.get(id);
    if (!f) return false;
    this.#faults.delete(id);
    const cluster = this.#clusters.get(f.cluster);
    if (cluster) defOf(f).undo?.(f, cluster);
    this.deps.log.info({ faultId: id, kind: f.kind }, "fault cleared");
    this.#emit("cleared", f);
    return true;
  }

  /** Ends every fault (a sandbox reset); call before the estate is restored. */
  clearAll(): void {
    for (const id of [...this.#faults.keys()]) this.clear(id);
    this.#missingImages.clear();
  }

  /** Marks the faults the clusters' state now cures. */
  checkCures(): void {
    const mutations = this.deps.mutations.since();
    for (const f of this.#faults.values()) {
      if (f.cured) continue;
      const cluster = this.#clusters.get(f.cluster);
      if (!cluster) continue;
      const verdict = defOf(f).judgeCure(f, { store: cluster.store, mutations });
      if (!verdict.cured) continue;
      f.cured = true;
      f.curedAt = this.deps.now().toISOString();
      if (verdict.by !== undefined) f.curedBy = verdict.by;
      this.deps.log.info({ faultId: f.id, kind: f.kind, curedBy: f.curedBy }, "fault cured");
      this.#emit("cured", f);
    }
  }

  /** Checks cures on a short interval until `stop()`. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      try {
        this.checkCures();
      } catch (e) {
        this.deps.log.warn({ err: e }, "cure check failed");
      }
    }, CURE_CHECK_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  effectsFor(ctx: ContainerContext): ContainerFaultEffect[] {
    if (this.#faults.size === 0) return [];
    return [...this.#faults.values()].flatMap((f) => (f.cured || f.cluster !== ctx.cluster ? [] : (defOf(f).effects?.(f, ctx) ?? [])));
  }

  /**
   * What the uncured faults do to one service's telemetry now, merged in injection order; the
   * telemetry asks at every scrape, so a cure shows at the next one. `since` is the injection of
   * the latest fault that set a memory growth (a leak grows from then).
   */
  modifierOf(cluster: string, service: string): (ServiceModifier & { since?: Date }) | undefined {
    let merged: (ServiceModifier & { since?: Date }) | undefined;
    const now = this.deps.now();
    for (const f of this.#faults.values()) {
      if (f.cured || f.cluster !== cluster) continue;
      for (const m of defOf(f).modifiers?.(f, now) ?? []) {
        if (m.service !== service) continue;
        merged = { ...merged, ...m.modifier, ...("memoryGrowthMiBPerMin" in m.modifier ? { since: new Date(f.injectedAt) } : {}) };
      }
    }
    return merged;
  }

  #injectContext(cluster: FaultCluster, namespace: string, target: string, now: Date): InjectContext {
    return {
      cluster,
      namespace,
      target,
      now,
      record: (by, m) => {
        const entry = { at: now.toISOString(), cluster: cluster.name, namespace, user: by ?? DEFAULT_BY, ...m, fault: true as const };
        this.deps.mutations.record(entry);
        return entry;
      },
    };
  }

  missingImage(image: string): string | undefined {
    return this.#missingImages.get(image);
  }

  #emit(type: "injected" | "cured" | "cleared", f: ActiveFault): void {
    const fault = publicView(f);
    for (const l of this.#listeners) l({ type, fault });
  }
}

/** The definition of a fault's kind: every stored fault was injected through one. */
function defOf(f: ActiveFault): AnyFaultKindDef {
  const def = FAULT_DEFS[f.kind];
  if (!def) throw new Error(`no definition for fault kind ${f.kind}`);
  return def;
}

function publicView(f: ActiveFault): Fault {
  return {
    id: f.id,
    kind: f.kind,
    cluster: f.cluster,
    namespace: f.namespace,
    target: f.target,
    params: f.params,
    injectedAt: f.injectedAt,
    cured: f.cured,
    ...(f.curedAt !== undefined ? { curedAt: f.curedAt } : {}),
    ...(f.curedBy !== undefined ? { curedBy: f.curedBy } : {}),
  };
}
