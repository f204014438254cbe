import { Agent, fetch as undiciFetch, type Dispatcher } from "undici";
import { histogramQuantile, keepWindow, nextReading, ratesOver, type CounterReading } from "./counter-math.js";
import { parseExposition, type ExpositionSample } from "./exposition.js";
import { toObservations, type Readings, type Series } from "./telemetry-readings.js";
import { errorText, type FetchLike, type TelemetryRound, type TelemetrySource } from "./telemetry-source.js";

export interface ScrapedCluster {
  /** The `cluster` of its observations. */
  name: string;
  /** Its Prometheus exposition, e.g. `https://127.0.0.1:6443/metrics`. */
  metricsUrl: string;
  /** PEM of the CA its certificate chains to (the sandbox's own). */
  ca?: string;
  /** Bearer token (the read-only `scarlet` identity). */
  token?: string;
}

export interface SandboxMetricsSourceOptions {
  clusters: ScrapedCluster[];
  /** How far back rates look, like PromQL's `[1m]`; the previous scrape when the rounds are further apart. */
  rateWindowMs?: number;
  timeoutMs?: number;
  fetch?: FetchLike;
}

const COUNTERS = new Set([
  "http_requests_total",
  "http_request_duration_seconds_bucket",
  "container_cpu_cfs_throttled_periods_total",
  "container_cpu_cfs_periods_total",
  "container_cpu_usage_seconds_total",
]);

const seriesId = (s: ExpositionSample) =>
  `${s.name}{${Object.entries(s.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(",")}}`;

const pick = (labels: Record<string, string>, names: readonly string[], cluster: string) => Object.fromEntries([["cluster", cluster], ...names.map((n) => [n, labels[n] ?? ""])]) as Record<string, string>;

/** `sum by (names)` of the samples. */
function sumBy(samples: readonly ExpositionSample[], names: readonly string[], cluster: string): Series[] {
  const acc = new Map<string, Series>();
  for (const s of samples) {
    const labels = pick(s.labels, names, cluster);
    const k = JSON.stringify(labels);
    const a = acc.get(k) ?? { labels, value: 0 };
    a.value += s.value;
    acc.set(k, a);
  }
  return [...acc.values()];
}

/**
 * One cluster's readings from a scrape, counters rated against the earlier scrapes in `history`
 * (the PromQL of prometheus-source.ts, computed by hand). Returns the history to keep.
 */
export function readingsFromScrape(
  cluster: string,
  samples: readonly ExpositionSample[],
  at: number,
  history: readonly CounterReading[],
  windowMs: number,
): { readings: Readings; history: CounterReading[] } {
  const byName = (name: string) => samples.filter((s) => s.name === name);
  const raw = new Map<string, number>();
  const labelsOf = new Map<string, ExpositionSample>();
  for (const s of samples) {
    if (!COUNTERS.has(s.name)) continue;
    const id = seriesId(s);
    raw.set(id, s.value);
    labelsOf.set(id, s);
  }
  const kept = keepWindow([...history, nextReading(history[history.length - 1], at, raw)], windowMs);
  const rated: ExpositionSample[] = [...ratesOver(kept, windowMs)].flatMap(([id, value]) => {
    const s = labelsOf.get(id);
    return s ? [{ ...s, value }] : [];
  });
  const ratesOf = (name: string) => rated.filter((s) => s.name === name);
  const gauge = (name: string, names: readonly string[]) => byName(name).map((s) => ({ labels: pick(s.labels, names, cluster), value: s.value }));
  const inContainer = (s: ExpositionSample) => (s.labels.container ?? "") !== "";
  const container = (s: ExpositionSample) => `${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`;

  const requests = ratesOf("http_requests_total");
  const buckets = new Map<string, { labels: Record<string, string>; buckets: { le: number; count: number }[] }>();
  for (const s of ratesOf("http_request_duration_seconds_bucket")) {
    const labels = pick(s.labels, ["namespace", "service"], cluster);
    const k = JSON.stringify(labels);
    const b = buckets.get(k) ?? { labels, buckets: [] };
    const le = s.labels.le === "+Inf" ? Infinity : Number(s.labels.le);
    const same = b.buckets.find((x) => x.le === le);
    if (same) same.count += s.value;
    else b.buckets.push({ le, count: s.value });
    buckets.set(k, b);
  }
  const cpuLimits = byName("kube_pod_container_resource_limits").filter((s) => s.labels.resource === "cpu");
  const limited = new Set(cpuLimits.map(container));
  const usage = ratesOf("container_cpu_usage_seconds_total").filter((s) => inContainer(s) && limited.has(container(s)));
  const used = new Set(usage.map(container));

  return {
    history: kept,
    readings: {
      "working-set": gauge("container_memory_working_set_bytes", ["namespace", "pod", "container"]),
      "memory-limit": gauge("container_spec_memory_limit_bytes", ["namespace", "pod", "container"]),
      "pod-owner": gauge("kube_pod_info", ["namespace", "pod", "created_by_kind", "created_by_name"]),
      "volume-used": gauge("kubelet_volume_stats_used_bytes", ["namespace", "persistentvolumeclaim"]),
      "volume-capacity": gauge("kubelet_volume_stats_capacity_bytes", ["namespace", "persistentvolumeclaim"]),
      requests: sumBy(requests, ["namespace", "service"], cluster),
      errors: sumBy(
        requests.filter((s) => /^5..$/.test(s.labels.code ?? "")),
        ["namespace", "service"],
        cluster,
      ),
      p99: [...buckets.values()].map((b) => ({ labels: b.labels, value: histogramQuantile(0.99, b.buckets) })),
      throttled: sumBy(ratesOf("container_cpu_cfs_throttled_periods_total").filter(inContainer), ["namespace", "pod"], cluster),
      periods: sumBy(ratesOf("container_cpu_cfs_periods_total").filter(inContainer), ["namespace", "pod"], cluster),
      "cpu-usage": sumBy(usage, ["namespace", "pod"], cluster),
      "cpu-limit": sumBy(
        cpuLimits.filter((s) => used.has(container(s))),
        ["namespace", "pod"],
        cluster,
      ),
    },
  };
}

/**
 * Telemetry read straight from each cluster's /metrics when no Prometheus runs: gauges as
 * they are, rates and the p99 from the difference to earlier scrapes (none on the first round).
 */
export function sandboxMetricsSource(opts: SandboxMetricsSourceOptions): TelemetrySource & { close(): Promise<void> } {
  const windowMs = opts.rateWindowMs ?? 60_000;
  // The sandbox's CA is its own: one connection pool per cluster that trusts it.
  const agents = new Map(opts.clusters.map((c) => [c.name, c.ca ? new Agent({ connect: { ca: c.ca } }) : undefined]));
  const doFetch: FetchLike = opts.fetch ?? ((url, init) => undiciFetch(url, { ...init, dispatcher: init.dispatcher as Dispatcher | undefined }));
  const histories = new Map<string, CounterReading[]>();

  async function scrape(c: ScrapedCluster, at: Date): Promise<Readings> {
    const headers: Record<string, string> = { accept: "text/plain", ...(c.token ? { authorization: `Bearer ${c.token}` } : {}) };
    const agent = agents.get(c.name);
    const r = await doFetch(c.metricsUrl, { headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000), ...(agent ? { dispatcher: agent } : {}) });
    const text = await r.text();
    if (!r.ok) throw new Error(`HTTP ${r.status}: ${text.slice(0, 200)}`);
    const { samples } = parseExposition(text);
    const { readings, history } = readingsFromScrape(c.name, samples, at.getTime(), histories.get(c.name) ?? [], windowMs);
    histories.set(c.name, history);
    return readings;
  }

  return {
    kind: "sandbox-metrics",
    async collect(at: Date): Promise<TelemetryRound> {
      const answers = await Promise.allSettled(opts.clusters.map((c) => scrape(c, at)));
      const round: TelemetryRound = { observations: [], failures: [] };
      answers.forEach((a, i) => {
        if (a.status === "fulfilled") round.observations.push(...toObservations(a.value));
        else round.failures.push({ what: `scrape:${opts.clusters[i]?.name ?? i}`, error: errorText(a.reason) });
      });
      return round;
    },
    async close() {
      await Promise.all([...agents.values()].map((a) => a?.close()));
    },
  };
}
