import type { Finding } from "@autodevops/shared";
import { finding } from "./finding.js";
import { heldFor, type Entry } from "./history.js";
import { clusterMs, type DetectorSettings } from "./settings.js";

type ConfigObs = { type: "config"; cluster: string; namespace: string; workload: string; missing: { configMap: string; key?: string }[] };

const describe = (m: { configMap: string; key?: string }) => (m.key ? `key "${m.key}" of ConfigMap ${m.configMap}` : `ConfigMap ${m.configMap}`);

/**
 * A workload reading ConfigMap keys that are gone: its running pods carry on, but the next
 * restart (a crash, a rollout, a node going away) fails with CreateContainerConfigError. Named
 * before any pod fails, once the gap has held for the config hold (an edit in two steps is not one).
 */
export function detectConfig(o: ConfigObs, entries: readonly Entry[], now: Date, s: DetectorSettings): Finding[] {
  const held = heldFor(entries, o, now, (x) => x.missing.length > 0);
  if (held === undefined || held < clusterMs(s, s.hold.configErrorS)) return [];
  return [
    finding(
      {
        source: "watch",
        name: "config.missing-reference",
        cluster: o.cluster,
        namespace: o.namespace,
        workload: o.workload,
        kind: "config-error",
        severity: "warning",
        summary: `${o.workload} reads ${o.missing.map(describe).join(", ")}, missing now: restarted pods will fail with CreateContainerConfigError`,
        evidence: o.missing.map((m) => `${describe(m)} is referenced by the pod template and missing`),
        labels: { configMap: o.missing[0]?.configMap ?? "", ...(o.missing[0]?.key ? { key: o.missing[0].key } : {}) },
      },
      now,
    ),
  ];
}
