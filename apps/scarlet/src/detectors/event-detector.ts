import type { Finding, RootCauseKind } from "@autodevops/shared";
import { finding } from "./finding.js";
import type { EventObject } from "./observations.js";
import { clusterMs, type DetectorSettings } from "./settings.js";

type EventObs = { type: "event"; cluster: string; event: EventObject; node?: string };

/** The workload a pod or ReplicaSet name belongs to, by the names controllers generate. */
export function workloadOfName(kind: string | undefined, name: string): string | undefined {
  if (kind === "ReplicaSet") return name.replace(/-[a-z0-9]+$/, "");
  if (kind === "Deployment" || kind === "StatefulSet" || kind === "DaemonSet") return name;
  if (kind !== "Pod") return undefined;
  const rs = /^(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}$/.exec(name);
  if (rs) return rs[1];
  return /^(.+)-\d+$/.exec(name)?.[1];
}

type Rule = { name: string; kind: RootCauseKind; severity: "warning" | "critical"; minCount: number; match: (e: EventObject) => boolean };

/** Which events mean something, and how often one must repeat to count (a single BackOff is a blip). */
const RULES: Rule[] = [
  { name: "event.failed-scheduling", kind: "unschedulable", severity: "warning", minCount: 2, match: (e) => e.reason === "FailedScheduling" && /Insufficient|didn't match|untolerated/i.test(e.message ?? "") },
  { name: "event.quota-exceeded", kind: "quota-exceeded", severity: "warning", minCount: 1, match: (e) => e.reason === "FailedCreate" && /exceeded quota/i.test(e.message ?? "") },
  { name: "event.oom-killing", kind: "oom", severity: "warning", minCount: 1, match: (e) => e.reason === "OOMKilling" },
  { name: "event.image-pull", kind: "image-pull", severity: "warning", minCount: 2, match: (e) => (e.reason === "Failed" || e.reason === "BackOff") && /pull|ImagePullBackOff|ErrImagePull/i.test(e.message ?? "") },
  { name: "event.config-error", kind: "config-error", severity: "warning", minCount: 2, match: (e) => e.reason === "Failed" && /configmap|secret|CreateContainerConfigError/i.test(e.message ?? "") },
  { name: "event.crash-backoff", kind: "crashloop", severity: "warning", minCount: 2, match: (e) => e.reason === "BackOff" && /restarting failed container/i.test(e.message ?? "") },
  { name: "event.unhealthy", kind: "unknown", severity: "warning", minCount: 3, match: (e) => e.reason === "Unhealthy" },
  { name: "event.node-not-ready", kind: "node-not-ready", severity: "critical", minCount: 1, match: (e) => e.reason === "NodeNotReady" },
  { name: "event.evicted", kind: "noisy-neighbour", severity: "warning", minCount: 1, match: (e) => e.reason === "Evicted" && /memory/i.test(e.message ?? "") },
];

/**
 * Findings from a Kubernetes Event. Repeats are what count: the recorder folds identical
 * events into one with a `count`, and a rule needs that many, or the repeats to span the
 * pending hold, before it speaks.
 */
export function detectEvent(o: EventObs, now: Date, s: DetectorSettings): Finding[] {
  const e = o.event;
  const rule = RULES.find((r) => r.match(e));
  if (!rule) return [];
  const count = e.count ?? 1;
  const span = e.firstTimestamp && e.lastTimestamp ? Date.parse(e.lastTimestamp) - Date.parse(e.firstTimestamp) : 0;
  if (count < rule.minCount && !(count > 1 && span >= clusterMs(s, s.hold.pendingS))) return [];
  const io = e.involvedObject;
  const isNode = io.kind === "Node";
  const f = finding(
    {
      source: "watch",
      name: rule.name,
      cluster: o.cluster,
      namespace: isNode ? "" : (io.namespace ?? e.metadata.namespace ?? "default"),
      workload: isNode ? undefined : workloadOfName(io.kind, io.name ?? ""),
      pod: io.kind === "Pod" ? io.name : undefined,
      node: isNode ? io.name : (e.source?.host ?? o.node),
      kind: rule.kind,
      severity: rule.severity,
      summary: `${e.reason ?? "event"} on ${io.kind ?? "object"} ${io.name ?? "?"}: ${e.message ?? ""}`.slice(0, 300),
      evidence: [`${e.type ?? "Warning"} ${e.reason ?? ""} x${count}${e.lastTimestamp ? ` (last ${e.lastTimestamp})` : ""}: ${e.message ?? ""}`],
      labels: { reason: e.reason ?? "", count: String(count), ...(io.kind ? { objectKind: io.kind } : {}) },
    },
    // Dated when the event last happened: the same event seen again on the next round is the same
    // finding (a duplicate), not fresh news that the trouble goes on.
    eventAt(e) ?? now,
  );
  return [f];
}

/** When an event last happened, as its object says; undefined when it says nothing readable. */
function eventAt(e: EventObs["event"]): Date | undefined {
  const t = e.lastTimestamp ?? (e as { eventTime?: string }).eventTime ?? e.firstTimestamp;
  const ms = t === undefined ? Number.NaN : Date.parse(t);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
