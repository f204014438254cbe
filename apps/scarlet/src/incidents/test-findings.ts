import type { Finding } from "@autodevops/shared";

/** Findings as the detectors write them, for the incident tests. */

export const T0 = Date.parse("2026-11-23T10:00:00.000Z");
export const at = (sec: number): Date => new Date(T0 + sec * 1000);

let n = 0;
type Draft = Partial<Finding> & Pick<Finding, "name">;

export function finding(d: Draft, sec = 0): Finding {
  return {
    id: d.id ?? `f-${++n}`,
    source: "watch",
    cluster: "prod",
    namespace: "shop",
    kind: "unknown",
    severity: "warning",
    summary: d.name,
    evidence: [],
    labels: {},
    at: at(sec).toISOString(),
    ...d,
  };
}

/** A firing Alertmanager alert as the alert detector turns it into a finding (stamped with the time it arrived). */
export function alert(name: string, labels: Record<string, string>, sec = 0, extra: Partial<Finding> = {}): Finding {
  return finding(
    {
      source: "alertmanager",
      name,
      namespace: labels.namespace ?? "",
      workload: labels.workload ?? labels.service,
      pod: labels.pod,
      node: labels.node,
      labels: { fingerprint: `am-${name}-${Object.values(labels).join("-")}`, ...labels },
      ...extra,
    },
    sec,
  );
}

export const crashloop = (workload: string, pod: string, sec = 0): Finding =>
  finding({ name: "pod.crashloop", kind: "crashloop", severity: "critical", workload, pod, summary: `${pod} keeps crashing (exit 1)` }, sec);

export const errorShare = (workload: string, sec = 0, evidence: string[] = []): Finding =>
  finding({ source: "prometheus", name: "metric.error-share", workload, summary: `${workload} error-share at 31.0%`, evidence }, sec);

export const p99 = (workload: string, sec = 0, evidence: string[] = []): Finding =>
  finding({ source: "prometheus", name: "metric.p99-latency", workload, summary: `${workload} p99-latency at 2.40s`, evidence }, sec);

/** A small deterministic PRNG (mulberry32), so the storm's order is shuffled the same way every run. */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function ids(prefix = "inc"): () => string {
  let i = 0;
  return () => `${prefix}-${++i}`;
}
