import type { Finding } from "@autodevops/shared";
import { finding, type FindingDraft } from "./finding.js";
import { heldFor, type Entry } from "./history.js";
import { workloadOfPod, type ContainerStatus, type PodObject } from "./observations.js";
import { clusterMs, type DetectorSettings } from "./settings.js";

type PodObs = { type: "pod"; cluster: string; pod: PodObject };

const condition = (p: PodObject, type: string) => p.status?.conditions?.find((c) => c.type === type);
const secs = (ms: number) => `${Math.round(ms / 1000)}s`;

/** The registry of an image reference (`docker.io` when it names none), as the runtime resolves it. */
export function registryOf(image: string): string {
  const first = image.split("/")[0] ?? "";
  if (!image.includes("/") || !(first.includes(".") || first.includes(":") || first === "localhost")) return image.includes("/") ? "docker.io" : "docker.io/library";
  return first;
}

/** How long a condition has held: from the watch history, or from its own transition time when that is longer. */
function conditionHeld(p: PodObs, entries: readonly Entry[], now: Date, type: string, status: string, reason?: string): number | undefined {
  const holds = (o: PodObs) => {
    const c = condition(o.pod, type);
    return c?.status === status && (reason === undefined || c.reason === reason);
  };
  const fromHistory = heldFor(entries, p, now, holds);
  if (fromHistory === undefined) return undefined;
  const since = condition(p.pod, type)?.lastTransitionTime;
  return Math.max(fromHistory, since ? now.getTime() - Date.parse(since) : 0);
}

/** Restarts of a container within the window: against the oldest earlier sample of the same pod in it. */
function restartsInWindow(c: ContainerStatus, p: PodObs, entries: readonly Entry[], now: Date, windowMs: number): number {
  const first = entries.find((e) => now.getTime() - e.at <= windowMs && e.obs.type === "pod" && e.obs.pod.metadata.uid === p.pod.metadata.uid);
  const before = first?.obs.type === "pod" ? first.obs.pod.status?.containerStatuses?.find((x) => x.name === c.name)?.restartCount : undefined;
  if (before !== undefined) return c.restartCount - before;
  // No earlier sample (Scarlet just started): the count stands for the window if the last exit is in it.
  const finished = c.lastState?.terminated?.finishedAt;
  return finished !== undefined && now.getTime() - Date.parse(finished) <= windowMs ? c.restartCount : 0;
}

function containerFindings(p: PodObs, c: ContainerStatus, entries: readonly Entry[], now: Date, s: DetectorSettings, base: Omit<FindingDraft, "name" | "kind" | "severity" | "summary" | "evidence">): FindingDraft[] {
  const waiting = c.state?.waiting?.reason;
  const last = c.lastState?.terminated;
  const pod = p.pod.metadata.name;
  const out: FindingDraft[] = [];
  const restarts = restartsInWindow(c, p, entries, now, clusterMs(s, s.crash.windowS));
  if (waiting === "CrashLoopBackOff" || restarts >= s.crash.minRestarts) {
    const oom = last?.reason === "OOMKilled";
    const evidence = [
      `container ${c.name} of pod ${pod}: restartCount=${c.restartCount} (${restarts} in the last ${secs(clusterMs(s, s.crash.windowS))})`,
      ...(waiting ? [`waiting: ${waiting}${c.state?.waiting?.message ? ` (${c.state.waiting.message})` : ""}`] : []),
      ...(last ? [`last terminated: reason=${last.reason ?? "?"} exitCode=${last.exitCode}${last.finishedAt ? ` at ${last.finishedAt}` : ""}`] : []),
    ];
    out.push({
      ...base,
      name: oom ? "pod.oomkilled" : "pod.crashloop",
      kind: oom ? "oom" : "crashloop",
      severity: "critical",
      summary: oom ? `${pod} (${c.name}) is OOMKilled again and again (exit 137)` : `${pod} (${c.name}) keeps crashing (exit ${last?.exitCode ?? "?"})`,
      evidence,
      labels: { ...base.labels, container: c.name, restarts: String(c.restartCount), ...(last ? { exitCode: String(last.exitCode), lastReason: last.reason ?? "" } : {}) },
    });
  }
  const waitHeld = (reason: string) => heldFor(entries, p, now, (o) => o.pod.status?.containerStatuses?.find((x) => x.name === c.name)?.state?.waiting?.reason === reason) ?? 0;
  const pull = waiting === "ImagePullBackOff" || waiting === "InvalidImageName" || (waiting === "ErrImagePull" && waitHeld("ErrImagePull") >= clusterMs(s, s.hold.errImagePullS));
  if (pull) {
    out.push({
      ...base,
      name: "pod.image-pull",
      kind: "image-pull",
      severity: "warning",
      summary: `${pod} cannot pull its image ${c.image ?? ""}`.trim(),
      evidence: [`container ${c.name} waiting: ${waiting}${c.state?.waiting?.message ? ` (${c.state.waiting.message})` : ""}`, `image ${c.image ?? "?"}`],
      labels: { ...base.labels, container: c.name, reason: waiting ?? "" },
    });
  }
  if (waiting === "CreateContainerConfigError" && waitHeld(waiting) >= clusterMs(s, s.hold.configErrorS)) {
    out.push({
      ...base,
      name: "pod.config-error",
      kind: "config-error",
      severity: "warning",
      summary: `${pod} cannot start ${c.name}: its configuration is missing`,
      evidence: [`container ${c.name} waiting: CreateContainerConfigError${c.state?.waiting?.message ? ` (${c.state.waiting.message})` : ""}`],
      labels: { ...base.labels, container: c.name, reason: waiting },
    });
  }
  return out;
}

/** Findings from one pod's status: crashes, OOM kills, image pulls, config errors, Pending, not Ready, evictions, lost nodes, bare pods from unknown registries. */
export function detectPod(p: PodObs, entries: readonly Entry[], now: Date, s: DetectorSettings): Finding[] {
  const { pod } = p;
  if (pod.metadata.deletionTimestamp) return [];
  const owner = workloadOfPod(pod);
  const namespace = pod.metadata.namespace ?? "default";
  const statuses = pod.status?.containerStatuses ?? [];
  const image = pod.spec?.containers?.[0]?.image ?? statuses[0]?.image;
  const labels: Record<string, string> = {
    ...(pod.metadata.labels?.["pod-template-hash"] ? { podTemplateHash: pod.metadata.labels["pod-template-hash"] } : {}),
    ...(owner ? { workloadKind: owner.kind } : {}),
    ...(image ? { image } : {}),
  };
  const base = { source: "watch" as const, cluster: p.cluster, namespace, workload: owner?.name, pod: pod.metadata.name, node: pod.spec?.nodeName, labels };
  const drafts: FindingDraft[] = [];
  const phase = pod.status?.phase;

  if (!owner && image && !s.knownRegistries.some((r) => registryOf(image) === r || image.startsWith(`${r}/`))) {
    drafts.push({ ...base, name: "pod.unowned", kind: "rogue-pod", severity: "critical", summary: `bare pod ${pod.metadata.name} runs an image from an unfamiliar registry`, evidence: [`no owner (no Deployment, StatefulSet, Job)`, `image ${image} from ${registryOf(image)}`, `node ${pod.spec?.nodeName ?? "?"}`] });
  }
  if (phase === "Failed" && pod.status?.reason === "Evicted") {
    const memory = /memory/i.test(pod.status.message ?? "");
    drafts.push({ ...base, name: "pod.evicted", kind: memory ? "noisy-neighbour" : "unknown", severity: "warning", summary: `${pod.metadata.name} was evicted from ${pod.spec?.nodeName ?? "its node"}`, evidence: [`Evicted: ${pod.status.message ?? ""}`.trim()] });
  }
  if (phase === "Unknown" || pod.status?.reason === "NodeLost") {
    drafts.push({ ...base, name: "pod.node-lost", kind: "node-not-ready", severity: "critical", summary: `${pod.metadata.name} is Unknown: its node ${pod.spec?.nodeName ?? "?"} stopped reporting`, evidence: [`phase=${phase ?? "?"} reason=${pod.status?.reason ?? ""} ${pod.status?.message ?? ""}`.trim()] });
  }
  const unschedulable = conditionHeld(p, entries, now, "PodScheduled", "False", "Unschedulable");
  if (phase === "Pending" && unschedulable !== undefined && unschedulable >= clusterMs(s, s.hold.pendingS)) {
    const msg = condition(pod, "PodScheduled")?.message ?? "";
    drafts.push({ ...base, name: "pod.unschedulable", kind: "unschedulable", severity: "warning", summary: `${pod.metadata.name} has been Pending for ${secs(unschedulable)}: no node fits it`, evidence: [`PodScheduled=False Unschedulable for ${secs(unschedulable)}: ${msg}`] });
  }
  for (const c of statuses) drafts.push(...containerFindings(p, c, entries, now, s, base));

  const allRunning = statuses.length > 0 && statuses.every((c) => c.state?.running !== undefined);
  const notReady = conditionHeld(p, entries, now, "Ready", "False");
  if (phase === "Running" && allRunning && notReady !== undefined && notReady >= clusterMs(s, s.hold.notReadyS)) {
    const ready = condition(pod, "Ready");
    const restarts = statuses.reduce((n, c) => n + c.restartCount, 0);
    drafts.push({
      ...base,
      name: "pod.not-ready",
      kind: "unknown",
      severity: "warning",
      summary: `${pod.metadata.name} is Running but not Ready for ${secs(notReady)}`,
      evidence: [`Ready=False for ${secs(notReady)} (${ready?.reason ?? "?"}: ${ready?.message ?? ""})`, `containers running, restartCount=${restarts}`],
      labels: { ...labels, restarts: String(restarts) },
    });
  }
  return drafts.map((d) => finding(d, now));
}
