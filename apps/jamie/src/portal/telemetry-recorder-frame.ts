import { readingsFromScrape, workloadOfPod, type CounterReading, type ExpositionSample } from "@autodevops/scarlet";
import type { Incident } from "@autodevops/shared";
import { chartQueries, chartWindow, type MetricSeries } from "./incident-metrics.js";

/** What an incident page charts, per service and per workload, at one scrape. */
export interface Frame {
  at: number;
  /** `namespace/service`: the 5xx share and p99 latency, absent while there is no traffic to rate. */
  services: Map<string, { errorRatio?: number; p99?: number }>;
  /** `namespace/workload`: its containers' restarts and working set, summed over its pods. */
  workloads: Map<string, { restarts: number; memory: number }>;
}

/** A frame never holds more keys than this, whatever a scrape carries. */
export const MAX_FRAME_KEYS = 2_000;

/** Adds `key` to a map that is still under MAX_FRAME_KEYS, or updates it when it is there. */
function bounded<V>(m: Map<string, V>, key: string, update: (v: V | undefined) => V): void {
  if (m.size < MAX_FRAME_KEYS || m.has(key)) m.set(key, update(m.get(key)));
}

/**
 * One scrape as a frame: Scarlet's readings of the exposition (request and 5xx rates and the
 * p99 from the counters' increase since the earlier readings in `history`, as PromQL's
 * `rate(…[1m])` would have them) and the restarts and working set per workload. Returns the
 * counter history to keep for the next scrape.
 */
export function frameFromScrape(cluster: string, samples: readonly ExpositionSample[], at: number, history: readonly CounterReading[], rateWindowMs: number): { frame: Frame; history: CounterReading[] } {
  const { readings, history: kept } = readingsFromScrape(cluster, samples, at, history, rateWindowMs);
  const serviceOf = (labels: Record<string, string>) => `${labels.namespace ?? ""}/${labels.service ?? ""}`;
  const errors = new Map((readings.errors ?? []).map((s) => [serviceOf(s.labels), s.value]));
  const services = new Map<string, { errorRatio?: number; p99?: number }>();
  for (const r of readings.requests ?? []) {
    if (r.value > 0) bounded(services, serviceOf(r.labels), (v) => ({ ...v, errorRatio: (errors.get(serviceOf(r.labels)) ?? 0) / r.value }));
  }
  for (const p of readings.p99 ?? []) {
    if (Number.isFinite(p.value)) bounded(services, serviceOf(p.labels), (v) => ({ ...v, p99: p.value }));
  }

  const workloads = new Map<string, { restarts: number; memory: number }>();
  const workloadOf = (labels: Record<string, string>) => `${labels.namespace ?? ""}/${workloadOfPod(labels.pod ?? "")}`;
  for (const s of samples) {
    if (s.name === "kube_pod_container_status_restarts_total" && s.labels.pod) bounded(workloads, workloadOf(s.labels), (v) => ({ restarts: (v?.restarts ?? 0) + s.value, memory: v?.memory ?? 0 }));
  }
  // cAdvisor also writes a pod-level series (container=""), which would count the memory twice.
  for (const w of readings["working-set"] ?? []) {
    if (w.labels.pod && w.labels.container) bounded(workloads, workloadOf(w.labels), (v) => ({ restarts: v?.restarts ?? 0, memory: (v?.memory ?? 0) + w.value }));
  }
  return { frame: { at, services, workloads }, history: kept };
}

/** How each chart of `chartQueries` reads a frame (by the chart's name). */
const READ: Record<string, (f: Frame, service: string) => number | undefined> = {
  "error rate (5xx share)": (f, key) => f.services.get(key)?.errorRatio,
  "p99 latency": (f, key) => f.services.get(key)?.p99,
  restarts: (f, key) => f.workloads.get(key)?.restarts,
  "memory working set": (f, key) => f.workloads.get(key)?.memory,
};

/**
 * An incident's four charts from recorded frames, over the window `incidentMetrics` asks
 * Prometheus for: ten minutes before it opened to two minutes after it closed (or now).
 */
export function seriesFromFrames(frames: readonly Frame[], i: Pick<Incident, "cluster" | "namespace" | "workload" | "openedAt" | "resolvedAt">, now: Date): MetricSeries[] {
  if (!i.workload) return [];
  const { start, end } = chartWindow(i, now);
  const inRange = frames.filter((f) => f.at >= start && f.at <= end);
  const key = `${i.namespace}/${i.workload}`;
  return chartQueries(i).map((q) => {
    const read = READ[q.name];
    const points = read ? inRange.flatMap((f): [number, number][] => {
      const v = read(f, key);
      return v === undefined ? [] : [[f.at, v]];
    }) : [];
    return { name: q.name, unit: q.unit, points };
  });
}
