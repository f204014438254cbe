import { seriesKey, type MetricFamily, type Sample } from "./exposition-format.js";
import { DURATION_BUCKETS_SECONDS, shapeMeanSeconds, shapeWithin } from "./latency-histogram.js";
import type { ScrapeContext } from "./scrape-context.js";
import { profileOf } from "./service-profiles.js";
import type { ServiceTraffic } from "./traffic-model.js";

const CODES = ["200", "404", "500", "503", "504"] as const;

/**
 * The services' RED metrics, as their own instrumentation (a Prometheus client library) exports
 * them, summed per service. Counters accrue the model's rates over the time since the last
 * scrape, so they only ever grow.
 */
export function appMetrics(traffic: ReadonlyMap<string, ServiceTraffic>, ctx: ScrapeContext): MetricFamily[] {
  const requests: Sample[] = [];
  const hist: Sample[] = [];
  const dt = ctx.elapsedSeconds;
  for (const t of [...traffic.values()].sort((a, b) => a.service.localeCompare(b.service))) {
    if (!profileOf(t.service).http) continue;
    const base = { namespace: t.namespace, service: t.service };
    for (const code of CODES) {
      const labels = { ...base, code };
      requests.push({ labels, value: round(ctx.counters.add(seriesKey("http_requests_total", labels), t.rps * t.codes[code] * dt)) });
    }
    const n = t.rps * dt;
    for (const le of DURATION_BUCKETS_SECONDS) {
      const labels = { ...base, le: String(le) };
      const within = n * shapeWithin(le, t);
      hist.push({ suffix: "_bucket", labels, value: round(ctx.counters.add(seriesKey("http_request_duration_seconds_bucket", labels), within)) });
    }
    const count = round(ctx.counters.add(seriesKey("http_request_duration_seconds_count", base), n));
    hist.push({ suffix: "_bucket", labels: { ...base, le: "+Inf" }, value: count });
    const sum = ctx.counters.add(seriesKey("http_request_duration_seconds_sum", base), n * shapeMeanSeconds(t));
    hist.push({ suffix: "_sum", labels: base, value: Math.round(sum * 1000) / 1000 });
    hist.push({ suffix: "_count", labels: base, value: count });
  }
  return [
    { name: "http_requests_total", type: "counter", help: "Total HTTP requests served, by status code.", samples: requests },
    { name: "http_request_duration_seconds", type: "histogram", help: "HTTP request latency in seconds.", samples: hist },
  ];
}

/**
 * Requests are whole: the model's fractional accruals are kept exactly and shown floored. Floor
 * keeps buckets cumulative (each bucket's exact total is at most the next one's).
 */
function round(v: number): number {
  return Math.floor(v);
}
