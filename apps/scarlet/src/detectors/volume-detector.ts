import type { Finding } from "@autodevops/shared";
import { workloadOfClaim } from "./alert-detector.js";
import { finding } from "./finding.js";
import type { DetectorSettings } from "./settings.js";

type VolumeObs = { type: "volume"; cluster: string; namespace: string; claim: string; workload?: string; usedBytes: number; capacityBytes: number };

/** A claim past the warning share of its capacity (seed 003: 90 %, critical at 95 %). A fill is not a flap: no hold. */
export function detectVolume(o: VolumeObs, now: Date, s: DetectorSettings): Finding[] {
  if (o.capacityBytes <= 0) return [];
  const used = o.usedBytes / o.capacityBytes;
  if (used < s.volume.warning) return [];
  const pct = `${(used * 100).toFixed(1)}%`;
  return [
    finding(
      {
        source: "prometheus",
        name: "volume.filling",
        cluster: o.cluster,
        namespace: o.namespace,
        workload: o.workload ?? workloadOfClaim(o.claim),
        kind: "disk-pressure",
        severity: used >= s.volume.critical ? "critical" : "warning",
        summary: `volume ${o.claim} is ${pct} full`,
        evidence: [`PVC ${o.namespace}/${o.claim}: ${Math.round(o.usedBytes / 2 ** 20)}Mi of ${Math.round(o.capacityBytes / 2 ** 20)}Mi used (${pct})`],
        labels: { persistentvolumeclaim: o.claim, usedFraction: used.toFixed(3) },
      },
      now,
    ),
  ];
}
