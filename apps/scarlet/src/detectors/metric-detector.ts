import type { Finding, RootCauseKind } from "@autodevops/shared";
import { isSpike, zScore, type Baseline } from "./baseline.js";
import { finding } from "./finding.js";
import { breachesGuarded, heldFor, type Entry } from "./history.js";
import type { MetricCheck } from "./observations.js";
import type { DetectorSettings } from "./settings.js";

type MetricObs = { type: "metric"; cluster: string; namespace: string; workload: string; check: MetricCheck; value: number };

/** What a breach of each fixed-threshold check hints at. */
const HINTS: Record<Exclude<MetricCheck, "request-rate">, RootCauseKind> = {
  "error-share": "unknown",
  "p99-latency": "unknown",
  "cpu-throttling": "traffic-spike",
  "cpu-saturation": "traffic-spike",
};

const fmt = (check: MetricCheck, v: number) => (check === "p99-latency" ? `${v.toFixed(2)}s` : check === "request-rate" ? `${v.toFixed(1)}/s` : `${(v * 100).toFixed(1)}%`);
const secs = (ms: number) => `${Math.round(ms / 1000)}s`;

/** Breaches that started (below → above) within the window, counting the current sample. */
function crossings(entries: readonly Entry[], current: number, now: Date, windowMs: number, above: (v: number) => boolean): number {
  const values = entries.filter((e) => now.getTime() - e.at <= windowMs && e.obs.type === "metric").map((e) => (e.obs.type === "metric" ? e.obs.value : 0));
  values.push(current);
  let n = 0;
  for (let i = 1; i < values.length; i++) if (above(values[i] ?? 0) && !above(values[i - 1] ?? 0)) n++;
  return n;
}

/**
 * A fixed-threshold check: a breach must hold for the check's `holdMs` (wall time) before it
 * is a finding. A breach that keeps starting and ending without ever holding is a flap: one
 * `metric.flapping` finding as it starts again, which no playbook acts on.
 */
function detectThreshold(o: MetricObs & { check: keyof typeof HINTS }, entries: readonly Entry[], now: Date, b: Baseline, s: DetectorSettings): Finding[] {
  const t = s.metrics[o.check];
  const above = o.check === "p99-latency" ? (v: number) => breachesGuarded(v, b, s) : (v: number) => v > t.warning;
  const base = { cluster: o.cluster, namespace: o.namespace, workload: o.workload, labels: { check: o.check, value: String(o.value), warning: String(t.warning), critical: String(t.critical) } };
  const held = heldFor(entries, o, now, (x) => above(x.value));
  if (held !== undefined && held >= t.holdMs) {
    const critical = o.value > t.critical;
    return [
      finding(
        {
          ...base,
          source: "prometheus",
          name: `metric.${o.check}`,
          kind: HINTS[o.check],
          severity: critical ? "critical" : "warning",
          summary: `${o.workload} ${o.check} at ${fmt(o.check, o.value)} (threshold ${fmt(o.check, critical ? t.critical : t.warning)})`,
          evidence: [`${o.check}=${fmt(o.check, o.value)} above ${fmt(o.check, t.warning)} for ${secs(held)}`],
        },
        now,
      ),
    ];
  }
  const starting = held === 0;
  const n = crossings(entries, o.value, now, s.flapping.windowMs, above);
  if (!starting || n < s.flapping.crossings) return [];
  return [
    finding(
      {
        ...base,
        source: "prometheus",
        name: "metric.flapping",
        kind: "flapping",
        severity: "warning",
        summary: `${o.workload} ${o.check} keeps crossing ${fmt(o.check, t.warning)} and recovering`,
        evidence: [`${n} breaches of ${fmt(o.check, t.warning)} in ${secs(s.flapping.windowMs)}, none held ${secs(t.holdMs)}`, `now ${fmt(o.check, o.value)}`],
        labels: { ...base.labels, crossings: String(n) },
      },
      now,
    ),
  ];
}

/** The request rate against its learned baseline: a spike must be `zWarning` deviations and `minRatio` × the mean, held. */
function detectBaseline(o: MetricObs, entries: readonly Entry[], now: Date, b: Baseline, s: DetectorSettings): Finding[] {
  const c = s.baseline;
  if (!isSpike(b, o.value, c)) return [];
  // Each earlier sample as judged when it came (see Entry): a long spike drags the mean up behind it.
  let since = now.getTime();
  for (let i = entries.length - 1; i >= 0 && entries[i]?.spike === true; i--) since = entries[i]?.at ?? since;
  const held = now.getTime() - since;
  if (held < c.holdMs) return [];
  const z = zScore(b, o.value);
  const ratio = b.mean > 0 ? o.value / b.mean : Infinity;
  return [
    finding(
      {
        source: "prometheus",
        name: `metric.${o.check}-anomaly`,
        cluster: o.cluster,
        namespace: o.namespace,
        workload: o.workload,
        kind: "traffic-spike",
        severity: z >= c.zCritical ? "critical" : "warning",
        summary: `${o.workload} ${o.check} at ${ratio.toFixed(1)}× its baseline`,
        evidence: [`${o.check}=${fmt(o.check, o.value)}, baseline ${fmt(o.check, b.mean)} (z=${z.toFixed(1)}) for ${secs(held)}`],
        labels: { check: o.check, value: String(o.value), baselineMean: String(b.mean), ratio: ratio.toFixed(2), z: z.toFixed(1) },
      },
      now,
    ),
  ];
}

/** Findings from one PromQL check's value for one workload. */
export function detectMetric(o: MetricObs, entries: readonly Entry[], now: Date, baseline: Baseline, s: DetectorSettings): Finding[] {
  if (!Number.isFinite(o.value)) return [];
  if (o.check === "p99-latency" && s.latencyExemptNamespaces.includes(o.namespace)) return [];
  if (o.check === "request-rate") return detectBaseline(o, entries, now, baseline, s);
  return detectThreshold(o as MetricObs & { check: keyof typeof HINTS }, entries, now, baseline, s);
}
