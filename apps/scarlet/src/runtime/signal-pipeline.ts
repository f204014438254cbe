import type { Finding, Logger, WebhookAlert } from "@autodevops/shared";
import { detect } from "../detectors/index.js";
import { isSpike } from "../detectors/baseline.js";
import { baselineOf, emptyHistory, prune, remember, type History } from "../detectors/history.js";
import type { Observation } from "../detectors/observations.js";
import type { DetectorSettings } from "../detectors/settings.js";
import type { Desk } from "./incident-desk.js";

export interface PipelineCounters {
  observations: number;
  findings: number;
  duplicates: number;
}

/**
 * Every signal into one path: observation → detectors (debounced on their own) → finding →
 * the incident desk. The watch's snapshots, the telemetry checks and Alertmanager's alerts all
 * come through here, so they deduplicate and correlate against each other.
 */
export class SignalPipeline {
  #history: History = emptyHistory();
  #lastPrune = 0;
  readonly counters: PipelineCounters = { observations: 0, findings: 0, duplicates: 0 };

  constructor(
    private readonly desk: Desk,
    private readonly settings: DetectorSettings,
    private readonly now: () => Date,
    private readonly onIncident: (incidentId: string, finding: Finding) => void,
    private readonly log: Logger,
  ) {}

  /** Runs the detectors over a batch of observations; returns the findings that were new. */
  observe(batch: readonly Observation[]): { accepted: number; duplicates: number } {
    const now = this.now();
    let accepted = 0;
    let duplicates = 0;
    for (const o of batch) {
      this.counters.observations++;
      let findings: Finding[] = [];
      try {
        findings = detect(o, this.#history, now, this.settings);
      } catch (e) {
        this.log.warn({ err: e, type: o.type }, "detector failed on an observation");
      }
      // An alert needs no history (Alertmanager debounced it); remembering thousands in a storm would only cost.
      if (o.type !== "alert") this.#history = remember(this.#history, o, now, this.settings);
      for (const f of findings) {
        const out = this.desk.ingest(f);
        this.counters.findings++;
        // A stale finding (the tail of a resolved incident) is taken in and recorded on it; only a repeat is a duplicate.
        if (out.type === "duplicate") {
          duplicates++;
          this.counters.duplicates++;
          continue;
        }
        accepted++;
        if (out.type === "opened" || out.type === "joined") this.onIncident(out.incident.id, f);
      }
    }
    if (now.getTime() - this.#lastPrune > 60_000) {
      this.#history = prune(this.#history, now, this.settings);
      this.#lastPrune = now.getTime();
    }
    return { accepted, duplicates };
  }

  /** Whether a metric reading is a spike against the baseline learned so far (before it is folded in). */
  isSpike(o: Extract<Observation, { type: "metric" }>): boolean {
    return isSpike(baselineOf(this.#history, o), o.value, this.settings.baseline);
  }

  /** Alertmanager's alerts as observations; an alert without a `cluster` label belongs to `defaultCluster`. */
  alerts(alerts: readonly WebhookAlert[], defaultCluster: string): { accepted: number; duplicates: number } {
    return this.observe(alerts.map((alert): Observation => ({ type: "alert", cluster: alert.labels.cluster ?? defaultCluster, alert })));
  }
}
