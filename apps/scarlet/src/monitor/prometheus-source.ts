import { z } from "zod";
import { toObservations, type ReadingName, type Readings, type Series } from "./telemetry-readings.js";
import { errorText, type FetchLike, type TelemetrySource } from "./telemetry-source.js";

/**
 * The PromQL per reading, in deploy/prometheus/rules.yaml's style (every aggregation keeps
 * `cluster`; rates over [1m]). Shares are divided per workload in telemetry-readings.ts, as
 * pods are mapped to workloads there for both sources.
 */
export const PROMQL: Record<ReadingName, string> = {
  "working-set": `container_memory_working_set_bytes{container!="",container!="POD"}`,
  "memory-limit": `container_spec_memory_limit_bytes{container!="",container!="POD"}`,
  // After a gap in scraping an old kube_pod_info stays visible for the look-back: one per pod is enough here.
  "pod-owner": `max by (cluster, namespace, pod, created_by_kind, created_by_name) (kube_pod_info)`,
  "volume-used": `kubelet_volume_stats_used_bytes`,
  "volume-capacity": `kubelet_volume_stats_capacity_bytes`,
  requests: `sum by (cluster, namespace, service) (rate(http_requests_total[1m]))`,
  errors: `sum by (cluster, namespace, service) (rate(http_requests_total{code=~"5.."}[1m]))`,
  p99: `histogram_quantile(0.99, sum by (cluster, namespace, service, le) (rate(http_request_duration_seconds_bucket[1m])))`,
  throttled: `sum by (cluster, namespace, pod) (rate(container_cpu_cfs_throttled_periods_total{container!=""}[1m]))`,
  periods: `sum by (cluster, namespace, pod) (rate(container_cpu_cfs_periods_total{container!=""}[1m]))`,
  "cpu-usage": `sum by (cluster, namespace, pod) (rate(container_cpu_usage_seconds_total{container!=""}[1m]) and on (cluster, namespace, pod, container) kube_pod_container_resource_limits{resource="cpu"})`,
  "cpu-limit": `sum by (cluster, namespace, pod) (kube_pod_container_resource_limits{resource="cpu"} and on (cluster, namespace, pod, container) container_cpu_usage_seconds_total{container!=""})`,
};

/** An instant query's answer (https://prometheus.io/docs/prometheus/latest/querying/api/). */
const QueryResponse = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.object({ resultType: z.literal("vector"), result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) })) }),
  }),
  z.object({ status: z.literal("error"), errorType: z.string().optional(), error: z.string() }),
]);

export interface PrometheusSourceOptions {
  /** Prometheus' base URL, e.g. http://prometheus:9090. */
  url: string;
  /** Bearer token, when Prometheus sits behind an authenticating proxy. */
  token?: string;
  /** The `cluster` of series without that label (a Prometheus that scrapes one cluster and adds none). */
  defaultCluster?: string;
  timeoutMs?: number;
  fetch?: FetchLike;
}

/** Telemetry from Prometheus' HTTP API: one instant query per reading, run in parallel. */
export function prometheusSource(opts: PrometheusSourceOptions): TelemetrySource {
  const doFetch: FetchLike = opts.fetch ?? ((url, init) => fetch(url, init as RequestInit));
  const base = opts.url.replace(/\/+$/, "");
  const headers: Record<string, string> = { accept: "application/json", ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) };
  const cluster = opts.defaultCluster ?? "default";

  async function query(promql: string): Promise<Series[]> {
    const r = await doFetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`, { headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
    const text = await r.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`HTTP ${r.status}: ${text.slice(0, 200)}`);
    }
    const parsed = QueryResponse.safeParse(body);
    if (!parsed.success) throw new Error(`HTTP ${r.status}: unexpected answer: ${parsed.error.message.slice(0, 200)}`);
    if (parsed.data.status === "error") throw new Error(`${parsed.data.errorType ?? "error"}: ${parsed.data.error}`);
    return parsed.data.data.result.map((s) => ({ labels: { cluster, ...s.metric }, value: Number(s.value[1]) }));
  }

  return {
    kind: "prometheus",
    async collect() {
      const names = Object.keys(PROMQL) as ReadingName[];
      const answers = await Promise.allSettled(names.map((n) => query(PROMQL[n])));
      const readings: Readings = {};
      const failures = names.flatMap((name, i) => {
        const a = answers[i];
        if (a?.status === "fulfilled") {
          readings[name] = a.value;
          return [];
        }
        return [{ what: `query:${name}`, error: errorText(a?.reason) }];
      });
      return { observations: toObservations(readings), failures };
    },
  };
}
