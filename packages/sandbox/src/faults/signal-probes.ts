import type { Series } from "../testing/exposition-parser.js";
import type { FaultTestCluster } from "./fault-test-cluster.js";

/**
 * For fault tests: what a PromQL query over the fault cluster's `/metrics` would compute, from
 * two scrapes `ms` apart (rate, increase, histogram_quantile), so a test asserts what an alert
 * rule sees rather than the model behind it.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const keyOf = (s: Series) => JSON.stringify(Object.entries(s.labels).sort());

/** Per-second increase of each series of a counter over the next `ms`, keyed by the series' labels. */
export async function counterRates(c: FaultTestCluster, name: string, labels: Record<string, string>, ms: number): Promise<{ labels: Record<string, string>; perSecond: number }[]> {
  const before = new Map(c.metric(name, labels).map((s) => [keyOf(s), s.value]));
  await sleep(ms);
  return c.metric(name, labels).flatMap((s) => {
    const was = before.get(keyOf(s));
    return was === undefined || s.value < was ? [] : [{ labels: s.labels, perSecond: (s.value - was) / (ms / 1000) }];
  });
}

/** A service's RED view over the next `ms`: request rate, 5xx share, 4xx share and p99 (histogram_quantile) in seconds. */
export async function redOver(c: FaultTestCluster, service: string, ms: number): Promise<{ rps: number; serverErrors: number; clientErrors: number; p99: number }> {
  const scrape = () => ({ requests: c.metric("http_requests_total", { service }), buckets: c.metric("http_request_duration_seconds_bucket", { service }) });
  const a = scrape();
  await sleep(ms);
  const b = scrape();
  const diff = (xs: Series[], ys: Series[], pick: (s: Series) => boolean) => {
    const was = new Map(xs.map((s) => [keyOf(s), s.value]));
    return ys.filter(pick).reduce((sum, s) => sum + s.value - (was.get(keyOf(s)) ?? 0), 0);
  };
  const total = diff(a.requests, b.requests, () => true);
  const fivexx = diff(a.requests, b.requests, (s) => /^5/.test(s.labels.code ?? ""));
  const fourxx = diff(a.requests, b.requests, (s) => /^4/.test(s.labels.code ?? ""));
  // histogram_quantile: the bucket where the cumulative count passes 99 %, interpolated linearly.
  const les = [...new Set(b.buckets.map((s) => s.labels.le ?? ""))].filter((le) => le !== "+Inf").map(Number).sort((x, y) => x - y);
  const cum = les.map((le) => diff(a.buckets, b.buckets, (s) => Number(s.labels.le) === le));
  const count = diff(a.buckets, b.buckets, (s) => s.labels.le === "+Inf");
  let p99 = les.at(-1) ?? 0;
  const rank = 0.99 * count;
  for (let i = 0; i < les.length; i++) {
    if ((cum[i] ?? 0) >= rank) {
      const lo = i === 0 ? 0 : (les[i - 1] ?? 0);
      const loCount = i === 0 ? 0 : (cum[i - 1] ?? 0);
      const hi = les[i] ?? 0;
      p99 = lo + ((hi - lo) * (rank - loCount)) / Math.max(1e-9, (cum[i] ?? 0) - loCount);
      break;
    }
  }
  return { rps: total / (ms / 1000), serverErrors: total > 0 ? fivexx / total : 0, clientErrors: total > 0 ? fourxx / total : 0, p99 };
}
