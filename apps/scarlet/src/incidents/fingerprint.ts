import type { Finding, RootCauseKind } from "@autodevops/shared";

/**
 * A stable fingerprint for "the same problem": (cluster, namespace, workload or node, fault
 * family). Families are coarse on purpose. Signals disagree about the kind of one problem (the
 * watch says crashloop, an alert says only "replicas mismatch", a playbook later says
 * bad-rollout), and a fingerprint that followed each reading would split one problem into
 * several incidents. The kind lives in the incident's root cause and is refined as evidence
 * comes in; the fingerprint stays put.
 */

export type FaultFamily = "service" | "storage" | "node" | "security";

/** Which family each kind belongs to; everything that degrades a workload's service is one family. */
export const FAMILY_OF_KIND: Readonly<Record<RootCauseKind, FaultFamily>> = {
  crashloop: "service",
  "bad-rollout": "service",
  "image-pull": "service",
  oom: "service",
  "memory-leak": "service",
  "traffic-spike": "service",
  "config-error": "service",
  unschedulable: "service",
  "dependency-down": "service",
  "slow-dependency": "service",
  "probe-failure": "service",
  flapping: "service",
  "hung-replica": "service",
  "scaled-to-zero": "service",
  "network-policy-block": "service",
  "quota-exceeded": "service",
  noise: "service",
  unknown: "service",
  "disk-pressure": "storage",
  "node-not-ready": "node",
  "noisy-neighbour": "node",
  "rogue-pod": "security",
};

/** Kinds whose target is the node even when the finding also names a pod or workload. */
const NODE_KINDS: ReadonlySet<RootCauseKind> = new Set(["node-not-ready", "noisy-neighbour", "rogue-pod"]);

/** What a finding is about: a workload in a namespace, a node, or (lacking both) a namespace. */
export type Target =
  | { type: "workload"; cluster: string; namespace: string; workload: string }
  | { type: "node"; cluster: string; node: string }
  | { type: "namespace"; cluster: string; namespace: string };

// Kubernetes' safe alphabet for generated suffixes (pod-template-hash and the pod's own suffix).
const SAFE = "[bcdfghjklmnpqrstvwxz2456789]";
const DEPLOYMENT_POD = new RegExp(`^(.+)-${SAFE}{6,10}-${SAFE}{5}$`);
const REPLICASET = new RegExp(`^(.+)-${SAFE}{6,10}$`);
const STATEFULSET_POD = /^(.+)-\d+$/;
const DAEMONSET_POD = new RegExp(`^(.+)-${SAFE}{5}$`);

/**
 * The workload a pod belongs to. Known workload names win (the longest one the pod name
 * starts with, so `redis-cart-0` is redis-cart, not cart); otherwise the generated suffixes of
 * Deployment, StatefulSet and DaemonSet pods are stripped.
 */
export function workloadOfPod(pod: string, known: Iterable<string> = []): string {
  let best: string | undefined;
  for (const name of known) if (pod.startsWith(`${name}-`) && (best === undefined || name.length > best.length)) best = name;
  if (best !== undefined) return best;
  return DEPLOYMENT_POD.exec(pod)?.[1] ?? STATEFULSET_POD.exec(pod)?.[1] ?? DAEMONSET_POD.exec(pod)?.[1] ?? pod;
}

/** A ReplicaSet's Deployment: its name minus the pod-template-hash. */
const ownerName = (name: string): string => REPLICASET.exec(name)?.[1] ?? name;

/**
 * The workload a finding is about, from (in order) the finding's own field, the labels
 * Alertmanager carries (`workload`, `deployment`, `statefulset`, `daemonset`, the owner's
 * `created_by_name`), the pod's name, the `app` labels, and last `service` (last because
 * kube-state-metrics alerts elsewhere carry `service="kube-state-metrics"`, the scrape target).
 */
export function workloadOf(f: Finding, known: Iterable<string> = []): string | undefined {
  const l = f.labels;
  const direct = f.workload ?? l.workload ?? l.deployment ?? l.statefulset ?? l.daemonset;
  if (direct) return direct;
  if (l.created_by_name) return ownerName(l.created_by_name);
  const pod = f.pod ?? l.pod;
  if (pod) return workloadOfPod(pod, known);
  return l["app.kubernetes.io/name"] ?? l.app ?? l.service;
}

export function targetOf(f: Finding, known: Iterable<string> = []): Target {
  const node = f.node ?? f.labels.node;
  if (node && NODE_KINDS.has(f.kind)) return { type: "node", cluster: f.cluster, node };
  const workload = workloadOf(f, known);
  if (workload) return { type: "workload", cluster: f.cluster, namespace: f.namespace || f.labels.namespace || "", workload };
  if (node) return { type: "node", cluster: f.cluster, node };
  return { type: "namespace", cluster: f.cluster, namespace: f.namespace };
}

/** Node names cannot hold ':', and a namespace-wide target uses '*', which no workload name can. */
export function fingerprintOf(target: Target, family: FaultFamily): string {
  switch (target.type) {
    case "workload":
      return `${target.cluster}/${target.namespace}/${target.workload}/${family}`;
    case "node":
      return `${target.cluster}/node:${target.node}/${family}`;
    case "namespace":
      return `${target.cluster}/${target.namespace}/*/${family}`;
  }
}

/** A node's trouble of a service kind (a stock alert of kind `unknown`) is the node family's. */
export function familyOf(target: Target, kind: RootCauseKind): FaultFamily {
  const family = FAMILY_OF_KIND[kind];
  return target.type === "node" && family === "service" ? "node" : family;
}

/** The fingerprint of the problem a finding reports, whichever signal reported it. */
export function fingerprint(f: Finding, known: Iterable<string> = []): string {
  const target = targetOf(f, known);
  return fingerprintOf(target, familyOf(target, f.kind));
}
