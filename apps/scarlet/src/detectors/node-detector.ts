import type { Finding } from "@autodevops/shared";
import { finding, type FindingDraft } from "./finding.js";
import { heldFor, type Entry } from "./history.js";
import type { NodeObject } from "./observations.js";
import { clusterMs, type DetectorSettings } from "./settings.js";

type NodeObs = { type: "node"; cluster: string; node: NodeObject };

const cond = (n: NodeObject, type: string) => n.status?.conditions?.find((c) => c.type === type);
const secs = (ms: number) => `${Math.round(ms / 1000)}s`;

/** How long a node condition has had a status other than `healthy`: history, or its transition time when longer. */
function unhealthyFor(o: NodeObs, entries: readonly Entry[], now: Date, type: string, healthy: string): number | undefined {
  const held = heldFor(entries, o, now, (x) => (cond(x.node, type)?.status ?? healthy) !== healthy);
  if (held === undefined) return undefined;
  const since = cond(o.node, type)?.lastTransitionTime;
  return Math.max(held, since ? now.getTime() - Date.parse(since) : 0);
}

/** Findings from a node's conditions: NotReady (or Unknown) long enough, and memory, disk or PID pressure. */
export function detectNode(o: NodeObs, entries: readonly Entry[], now: Date, s: DetectorSettings): Finding[] {
  const n = o.node;
  const base = { source: "watch" as const, cluster: o.cluster, namespace: "", node: n.metadata.name, labels: { cordoned: String(n.spec?.unschedulable === true) } };
  const drafts: FindingDraft[] = [];
  const notReady = unhealthyFor(o, entries, now, "Ready", "True");
  if (notReady !== undefined && notReady >= clusterMs(s, s.hold.nodeNotReadyS)) {
    const c = cond(n, "Ready");
    drafts.push({ ...base, name: "node.not-ready", kind: "node-not-ready", severity: "critical", summary: `node ${n.metadata.name} is not Ready for ${secs(notReady)}`, evidence: [`Ready=${c?.status ?? "?"} (${c?.reason ?? "?"}: ${c?.message ?? ""}) for ${secs(notReady)}`, `cordoned=${n.spec?.unschedulable === true}`] });
  }
  for (const type of ["MemoryPressure", "DiskPressure", "PIDPressure"]) {
    const held = unhealthyFor(o, entries, now, type, "False");
    if (held === undefined || held < clusterMs(s, s.hold.nodeNotReadyS)) continue;
    const c = cond(n, type);
    drafts.push({ ...base, name: `node.${type.replace("Pressure", "").toLowerCase()}-pressure`, kind: type === "MemoryPressure" ? "noisy-neighbour" : "unknown", severity: "warning", summary: `node ${n.metadata.name} reports ${type}`, evidence: [`${type}=${c?.status ?? "?"} (${c?.reason ?? ""}: ${c?.message ?? ""}) for ${secs(held)}`] });
  }
  return drafts.map((d) => finding(d, now));
}
