import type { Logger } from "@autodevops/shared";
import type { Observation } from "../detectors/observations.js";
import { errorText, type TelemetrySource } from "./telemetry-source.js";

export { prometheusSource, PROMQL, type PrometheusSourceOptions } from "./prometheus-source.js";
export { sandboxMetricsSource, type SandboxMetricsSourceOptions, type ScrapedCluster } from "./sandbox-metrics-source.js";
export type { TelemetryFailure, TelemetryRound, TelemetrySource } from "./telemetry-source.js";

export interface TelemetryChecksOptions {
  source: TelemetrySource;
  intervalMs: number;
  onObservations: (obs: Observation[]) => void;
  log: Pick<Logger, "warn" | "debug">;
  /** The same failure (a query, a cluster's scrape) is logged at most once per this long. */
  warnEveryMs?: number;
  now?: () => Date;
}

export interface TelemetryChecks {
  /** Stops the schedule and waits for a run under way. */
  stop(): Promise<void>;
  /** One round now (or the one under way); resolves with what it observed. */
  runOnce(): Promise<Observation[]>;
}

/** Reads telemetry every `intervalMs` and hands the observations on; failures are logged, never thrown. */
export function startTelemetryChecks(opts: TelemetryChecksOptions): TelemetryChecks {
  const now = opts.now ?? (() => new Date());
  const warnEveryMs = opts.warnEveryMs ?? 60_000;
  const warned = new Map<string, { at: number; suppressed: number }>();
  let inflight: Promise<Observation[]> | undefined;
  let stopped = false;

  const warn = (what: string, error: string) => {
    const t = now().getTime();
    const w = warned.get(what);
    if (w && t - w.at < warnEveryMs) {
      w.suppressed++;
      return;
    }
    opts.log.warn({ source: opts.source.kind, what, error, ...(w?.suppressed ? { suppressed: w.suppressed } : {}) }, "telemetry check failed");
    warned.set(what, { at: t, suppressed: 0 });
  };

  async function round(): Promise<Observation[]> {
    let observations: Observation[];
    try {
      const r = await opts.source.collect(now());
      observations = r.observations;
      for (const f of r.failures) warn(f.what, f.error);
      // A failure that answered again may warn at once when it comes back.
      for (const what of warned.keys()) if (!r.failures.some((f) => f.what === what)) warned.delete(what);
    } catch (e) {
      warn("collect", errorText(e));
      return [];
    }
    try {
      opts.onObservations(observations);
    } catch (e) {
      warn("onObservations", errorText(e));
    }
    return observations;
  }

  const runOnce = (): Promise<Observation[]> => {
    if (inflight) return inflight;
    const p = round().finally(() => {
      inflight = undefined;
    });
    inflight = p;
    return p;
  };

  const timer = setInterval(() => {
    if (stopped) return;
    // A round slower than the interval: skip this tick rather than pile rounds up.
    if (inflight) {
      opts.log.debug({ source: opts.source.kind }, "telemetry round still running; tick skipped");
      return;
    }
    void runOnce();
  }, opts.intervalMs);

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inflight;
    },
  };
}
