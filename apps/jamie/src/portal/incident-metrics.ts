import { z } from "zod";
import type { Incident } from "@autodevops/shared";

export interface MetricSeries {
  name: string;
  unit: "ratio" | "seconds" | "count" | "bytes";
  points: [number, number][];
}

const RangeAnswer = z.object({
  status: z.literal("success"),
  data: z.object({ resultType: z.literal("matrix"), result: z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(z.tuple([z.number(), z.string()])) })) }),
});

/** The four charts of an incident's page, as PromQL over its workload (the names Scarlet's checks read). */
export function chartQueries(i: Pick<Incident, "cluster" | "namespace" | "workload">): { name: string; unit: MetricSeries["unit"]; query: string }[] {
  const svc = `cluster="${i.cluster}", namespace="${i.namespace}", service="${i.workload}"`;
  const pod = `cluster="${i.cluster}", namespace="${i.namespace}", pod=~"${i.workload}-.*"`;
  return [
    { name: "error rate (5xx share)", unit: "ratio", query: `sum(rate(http_requests_total{${svc}, code=~"5.."}[1m])) / sum(rate(http_requests_total{${svc}}[1m]))` },
    { name: "p99 latency", unit: "seconds", query: `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${svc}}[1m])))` },
    { name: "restarts", unit: "count", query: `sum(kube_pod_container_status_restarts_total{${pod}})` },
    { name: "memory working set", unit: "bytes", query: `sum(container_memory_working_set_bytes{${pod}, container!=""})` },
  ];
}

/** The time an incident's charts span: ten minutes before it opened to two minutes after it closed (or now). */
export function chartWindow(i: Pick<Incident, "openedAt" | "resolvedAt">, now: Date): { start: number; end: number } {
  const start = Date.parse(i.openedAt) - 10 * 60_000;
  const end = Math.min(now.getTime(), (i.resolvedAt ? Date.parse(i.resolvedAt) : now.getTime()) + 2 * 60_000);
  return { start, end };
}

/**
 * The metrics around an incident, from Prometheus' range API: from ten minutes before it opened
 * to two minutes after it closed (or now). A query with no data gives an empty series, not an error.
 */
export async function incidentMetrics(prometheusUrl: string, i: Incident, now: Date, signal?: AbortSignal): Promise<MetricSeries[]> {
  if (!i.workload) return [];
  const { start, end } = chartWindow(i, now);
  const step = Math.max(5, Math.ceil((end - start) / 1000 / 240));
  return Promise.all(
    chartQueries(i).map(async (q): Promise<MetricSeries> => {
      const url = new URL("api/v1/query_range", prometheusUrl.endsWith("/") ? prometheusUrl : `${prometheusUrl}/`);
      url.search = new URLSearchParams({ query: q.query, start: String(start / 1000), end: String(end / 1000), step: `${step}s` }).toString();
      const r = await fetch(url, { signal: signal ?? AbortSignal.timeout(5000) });
      if (!r.ok) throw new Error(`Prometheus answered ${r.status} to ${q.name}`);
      const parsed = RangeAnswer.parse(await r.json());
      const values = parsed.data.result[0]?.values ?? [];
      return { name: q.name, unit: q.unit, points: values.map(([t, v]) => [t * 1000, Number(v)] as [number, number]).filter(([, v]) => Number.isFinite(v)) };
    }),
  );
}
