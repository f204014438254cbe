import type { ClusterStore } from "../store/cluster-store.js";
import { appMetrics } from "./app-metrics.js";
import { cadvisorMetrics } from "./cadvisor-metrics.js";
import { serviceStates, takeSnapshot } from "./cluster-snapshot.js";
import { CounterBank } from "./counter-bank.js";
import { renderExposition } from "./exposition-format.js";
import { kubeStateMetrics } from "./kube-state-metrics.js";
import { kubeletVolumeMetrics } from "./kubelet-volume-metrics.js";
import type { ScrapeContext } from "./scrape-context.js";
import type { TelemetryModifiers } from "./telemetry-modifiers.js";
import { computeTraffic, type ServiceTraffic } from "./traffic-model.js";

export interface ClusterTelemetryDeps {
  cluster: string;
  store: Pick<ClusterStore, "list">;
  modifiers: TelemetryModifiers;
  /** Seeds the noise: the same seed and the same clock give the same series. */
  seed: number;
  /** Counters accrue from here until the first scrape, as if exporters had been up since then. */
  startedAt: Date;
}

/**
 * One cluster's metrics endpoint: each `render` reads the store as it is now, runs the traffic
 * model, advances the counters by the time since the previous scrape, and returns the
 * Prometheus text. Stateful only in its counters and the time of the last scrape.
 */
export class ClusterTelemetry {
  readonly #counters = new CounterBank();
  #lastScrape: Date;

  constructor(private readonly deps: ClusterTelemetryDeps) {
    this.#lastScrape = deps.startedAt;
  }

  get cluster(): string {
    return this.deps.cluster;
  }

  /** The traffic model's view of the cluster at `now`, without advancing any counter. */
  traffic(now: Date): Map<string, ServiceTraffic> {
    return computeTraffic({
      cluster: this.deps.cluster,
      at: now,
      seed: this.deps.seed,
      services: serviceStates(takeSnapshot(this.deps.store)),
      modifierOf: (s) => this.deps.modifiers.modifierOf(this.deps.cluster, s),
    });
  }

  /** The exposition at `now`. Scrapes must come in time order; an earlier `now` accrues nothing. */
  render(now: Date): string {
    const snap = takeSnapshot(this.deps.store);
    const ctx: ScrapeContext = {
      now,
      elapsedSeconds: Math.max(0, (now.getTime() - this.#lastScrape.getTime()) / 1000),
      seed: this.deps.seed,
      counters: this.#counters,
      modifierOf: (s) => this.deps.modifiers.modifierOf(this.deps.cluster, s),
    };
    if (now > this.#lastScrape) this.#lastScrape = now;
    const traffic = computeTraffic({
      cluster: this.deps.cluster,
      at: now,
      seed: this.deps.seed,
      services: serviceStates(snap),
      modifierOf: ctx.modifierOf,
    });
    const text = renderExposition([
      ...kubeStateMetrics(snap),
      ...cadvisorMetrics(snap, traffic, ctx),
      ...kubeletVolumeMetrics(snap, ctx),
      ...appMetrics(traffic, ctx),
    ]);
    this.#counters.sweep();
    return text;
  }
}
