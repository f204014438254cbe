import type { Finding } from "@autodevops/shared";
import { finding } from "./finding.js";
import type { Entry } from "./history.js";
import type { DetectorSettings } from "./settings.js";

type MemoryObs = { type: "memory"; cluster: string; namespace: string; workload: string; pod: string; container: string; workingSetBytes: number; limitBytes?: number };

const MIB = 2 ** 20;
const mib = (b: number) => `${Math.round(b / MIB)}Mi`;

/** Least-squares slope (bytes per ms) and r² of the points. */
export function linearFit(points: readonly { t: number; v: number }[]): { slope: number; r2: number } {
  const n = points.length;
  if (n < 2) return { slope: 0, r2: 0 };
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.v, 0) / n;
  let stt = 0, stv = 0, svv = 0;
  for (const p of points) {
    stt += (p.t - mt) ** 2;
    stv += (p.t - mt) * (p.v - mv);
    svv += (p.v - mv) ** 2;
  }
  if (stt === 0) return { slope: 0, r2: 0 };
  const slope = stv / stt;
  return { slope, r2: svv === 0 ? 0 : (stv * stv) / (stt * svv) };
}

/**
 * A container's working set over time. Climbing steadily (a good linear fit since its last
 * restart, which the drop of the working set marks) towards its limit within the horizon:
 * `memory.climbing`, a leak. Pinned at the limit (cAdvisor never reports past it; the kernel
 * kills there): `memory.at-limit`, the limit is below what the process needs.
 */
export function detectMemory(o: MemoryObs, entries: readonly Entry[], now: Date, s: DetectorSettings): Finding[] {
  const samples = [...entries.flatMap((e) => (e.obs.type === "memory" ? [{ t: e.at, v: e.obs.workingSetBytes }] : [])), { t: now.getTime(), v: o.workingSetBytes }];
  // Since the last restart: a drop of a fifth or more starts a new run.
  let from = 0;
  for (let i = 1; i < samples.length; i++) if ((samples[i]?.v ?? 0) < 0.8 * (samples[i - 1]?.v ?? 0)) from = i;
  const run = samples.slice(from);
  const restarts = samples.length > 1 ? samples.slice(1).filter((p, i) => p.v < 0.8 * (samples[i]?.v ?? 0)).length : 0;
  const base = { source: "prometheus" as const, cluster: o.cluster, namespace: o.namespace, workload: o.workload, pod: o.pod };
  const labels: Record<string, string> = { container: o.container, workingSetBytes: String(o.workingSetBytes), ...(o.limitBytes ? { limitBytes: String(o.limitBytes) } : {}) };
  const out: Finding[] = [];
  const m = s.memory;
  const span = (run.at(-1)?.t ?? 0) - (run[0]?.t ?? 0);
  if (run.length >= m.trendMinSamples && span >= m.trendMinSpanMs) {
    const { slope, r2 } = linearFit(run);
    const perMin = slope * 60_000;
    const toLimitMs = o.limitBytes ? (o.limitBytes - o.workingSetBytes) / slope : Infinity;
    const reaches = o.limitBytes ? toLimitMs <= m.horizonMs : perMin >= 10 * MIB;
    const grown = o.workingSetBytes - Math.min(...run.map((p) => p.v)) >= (o.limitBytes ? m.trendMinGrowth * o.limitBytes : m.trendMinGrowthBytes);
    if (slope > 0 && r2 >= m.trendMinR2 && reaches && grown) {
      out.push(
        finding(
          {
            ...base,
            name: "memory.climbing",
            kind: "memory-leak",
            severity: toLimitMs < 60_000 ? "critical" : "warning",
            summary: `${o.pod} (${o.container}) working set climbs ${mib(perMin)}/min${o.limitBytes ? ` towards its ${mib(o.limitBytes)} limit` : ""}`,
            evidence: [
              `working set ${mib(run[0]?.v ?? 0)} -> ${mib(o.workingSetBytes)} over ${Math.round(span / 1000)}s (${mib(perMin)}/min, r²=${r2.toFixed(2)})`,
              ...(o.limitBytes ? [`limit ${mib(o.limitBytes)}, reached in ~${Math.max(0, Math.round(toLimitMs / 1000))}s`] : []),
              ...(restarts > 0 ? [`fell back ${restarts}× (restarts) and climbed again`] : []),
            ],
            labels: { ...labels, mibPerMin: (perMin / MIB).toFixed(1), r2: r2.toFixed(2), restarts: String(restarts) },
          },
          now,
        ),
      );
    }
  }
  if (o.limitBytes && o.workingSetBytes >= m.nearLimit * o.limitBytes && out.length === 0) {
    const pinned = o.workingSetBytes >= 0.98 * o.limitBytes;
    out.push(
      finding(
        {
          ...base,
          name: pinned ? "memory.at-limit" : "memory.near-limit",
          kind: pinned ? "oom" : "unknown",
          severity: pinned ? "critical" : "warning",
          summary: `${o.pod} (${o.container}) uses ${mib(o.workingSetBytes)} of its ${mib(o.limitBytes)} memory limit`,
          evidence: [`working set ${mib(o.workingSetBytes)} = ${((o.workingSetBytes / o.limitBytes) * 100).toFixed(0)}% of limit ${mib(o.limitBytes)}`],
          labels,
        },
        now,
      ),
    );
  }
  return out;
}
