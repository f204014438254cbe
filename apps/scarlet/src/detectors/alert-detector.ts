import type { Finding, RootCauseKind, WebhookAlert } from "@autodevops/shared";
import { finding } from "./finding.js";

/**
 * What each alert of deploy/prometheus/rules.yaml hints at. A hint, not a verdict: the
 * playbooks weigh it with the watch's evidence (KubePodCrashLooping fires for crashloop, oom,
 * memory-leak, bad-rollout and dependency-down alike).
 */
const ALERT_KINDS: Record<string, RootCauseKind> = {
  KubePodCrashLooping: "crashloop",
  KubeNodeNotReady: "node-not-ready",
  KubeNodeMemoryPressure: "noisy-neighbour",
  KubePersistentVolumeFillingUp: "disk-pressure",
  KubeQuotaFullyUsed: "quota-exceeded",
  KubeQuotaExceeded: "quota-exceeded",
  CPUThrottlingHigh: "traffic-spike",
};

const WAITING_KINDS: Record<string, RootCauseKind> = {
  ImagePullBackOff: "image-pull",
  ErrImagePull: "image-pull",
  InvalidImageName: "image-pull",
  CreateContainerConfigError: "config-error",
};

/** A StatefulSet's claim is `<template>-<statefulset>-<ordinal>` (data-catalog-db-0 → catalog-db). */
export function workloadOfClaim(claim: string): string | undefined {
  return /^[a-z0-9]+-(.+)-\d+$/.exec(claim)?.[1];
}

/**
 * A finding per firing alert. Alertmanager has already waited out the rule's `for:`, so an alert
 * that arrives is debounced; a resolved one gives no finding (the incident layer closes on it).
 * Annotations are quoted as evidence, never read as instructions.
 */
export function detectAlert(o: { type: "alert"; cluster: string; alert: WebhookAlert }, now: Date): Finding[] {
  const { alert } = o;
  if (alert.status !== "firing") return [];
  const l = alert.labels;
  const name = l.alertname ?? "UnnamedAlert";
  const kind = (name === "KubeContainerWaiting" ? WAITING_KINDS[l.reason ?? ""] : ALERT_KINDS[name]) ?? "unknown";
  const isNode = l.workload_type === "Node" || (l.node !== undefined && l.namespace === undefined);
  const workload = l.workload ?? l.deployment ?? l.statefulset ?? (l.persistentvolumeclaim ? workloadOfClaim(l.persistentvolumeclaim) : undefined) ?? l.service;
  const text = alert.annotations.description ?? alert.annotations.summary ?? "";
  const f = finding(
    {
      source: "alertmanager",
      name,
      cluster: l.cluster ?? o.cluster,
      namespace: isNode ? "" : (l.namespace ?? ""),
      workload: isNode ? undefined : workload,
      pod: l.pod,
      node: l.node,
      kind,
      severity: l.severity === "critical" ? "critical" : "warning",
      summary: `${name}${workload ? ` on ${workload}` : l.node ? ` on ${l.node}` : ""}${alert.annotations.summary ? `: ${alert.annotations.summary}` : ""}`.slice(0, 300),
      evidence: [`alert ${name} (${l.severity ?? "warning"}) firing since ${alert.startsAt}`, ...(text ? [`annotation: ${JSON.stringify(text.slice(0, 500))}`] : [])],
      labels: { ...Object.fromEntries(Object.entries(l).filter(([k]) => k !== "alertname")), fingerprint: alert.fingerprint },
      // Two alerts of one rule on one pod (different label sets) are two findings.
      discriminator: alert.fingerprint,
    },
    now,
  );
  return [f];
}
