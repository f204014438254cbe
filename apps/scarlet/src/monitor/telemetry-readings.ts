import type { MetricCheck, Observation } from "../detectors/observations.js";

/**
 * The instant vectors both telemetry sources produce (Prometheus by PromQL, the sandbox source
 * from two scrapes), and the one pure step from them to detector observations, so both sources
 * give the same output. Every series carries `cluster`.
 */

export interface Series {
  labels: Record<string, string>;
  value: number;
}

/** Each reading and the labels its series carry besides `cluster`. */
export const READING_LABELS = {
  /** cAdvisor, bytes. */
  "working-set": ["namespace", "pod", "container"],
  /** cAdvisor, bytes; 0 when the container has no limit. */
  "memory-limit": ["namespace", "pod", "container"],
  /** kube_pod_info: who created each pod. */
  "pod-owner": ["namespace", "pod", "created_by_kind", "created_by_name"],
  "volume-used": ["namespace", "persistentvolumeclaim"],
  "volume-capacity": ["namespace", "persistentvolumeclaim"],
  /** Requests per second, per service. */
  requests: ["namespace", "service"],
  /** 5xx responses per second, per service. */
  errors: ["namespace", "service"],
  /** p99 request duration in seconds, per service. */
  p99: ["namespace", "service"],
  /** Throttled CFS periods per second, per pod. */
  throttled: ["namespace", "pod"],
  /** CFS periods per second, per pod. */
  periods: ["namespace", "pod"],
  /** CPU cores used by the pod's containers that have a CPU limit. */
  "cpu-usage": ["namespace", "pod"],
  /** The CPU limits in cores of those same containers. */
  "cpu-limit": ["namespace", "pod"],
} as const;
export type ReadingName = keyof typeof READING_LABELS;

/** What one round read; a reading that failed is absent, and what depends on it is skipped. */
export type Readings = Partial<Record<ReadingName, Series[]>>;

/**
 * The workload a pod belongs to: from its creator when known (a ReplicaSet's Deployment is its
 * name minus the hash), else from the name alone: `frontend-7d4b9c-x2x9z` → `frontend`,
 * `catalog-db-0` → `catalog-db`.
 */
export function workloadOfPod(pod: string, owner?: { kind: string; name: string }): string {
  if (owner && owner.kind !== "<none>" && owner.name !== "<none>" && owner.name !== "") {
    return owner.kind === "ReplicaSet" ? owner.name.replace(/-[^-]+$/, "") : owner.name;
  }
  const deployment = /^(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}$/.exec(pod);
  if (deployment?.[1]) return deployment[1];
  const ordinal = /^(.+)-\d+$/.exec(pod);
  return ordinal?.[1] ?? pod;
}

const l = (s: Series, name: string) => s.labels[name] ?? "";
const key = (s: Series, names: readonly string[]) => names.map((n) => l(s, n)).join("\u0000");

/** Sums numerator and denominator per workload, so a workload's share weighs each pod by its size. */
function ratioPerWorkload(
  num: Series[],
  den: Series[],
  workloadOf: (cluster: string, namespace: string, pod: string) => string,
  check: MetricCheck,
): Observation[] {
  const acc = new Map<string, { cluster: string; namespace: string; workload: string; num: number; den: number }>();
  const add = (s: Series, field: "num" | "den") => {
    const [cluster, namespace, pod] = [l(s, "cluster"), l(s, "namespace"), l(s, "pod")];
    const workload = workloadOf(cluster, namespace, pod);
    const k = `${cluster}\u0000${namespace}\u0000${workload}`;
    const a = acc.get(k) ?? { cluster, namespace, workload, num: 0, den: 0 };
    a[field] += s.value;
    acc.set(k, a);
  };
  const pods = new Set(den.map((s) => key(s, ["cluster", "namespace", "pod"])));
  for (const s of den) add(s, "den");
  // A pod counts only when both sides have it (a pod that just started has no denominator yet).
  for (const s of num) if (pods.has(key(s, ["cluster", "namespace", "pod"]))) add(s, "num");
  return [...acc.values()].flatMap((a) => (a.den > 0 ? [{ type: "metric" as const, cluster: a.cluster, namespace: a.namespace, workload: a.workload, check, value: a.num / a.den }] : []));
}

/** Observations from one round's readings; series with a non-finite value are left out. */
export function toObservations(readings: Readings): Observation[] {
  const finite = (name: ReadingName) => (readings[name] ?? []).filter((s) => Number.isFinite(s.value));
  const owners = new Map(finite("pod-owner").map((s) => [key(s, ["cluster", "namespace", "pod"]), { kind: l(s, "created_by_kind"), name: l(s, "created_by_name") }]));
  const workloadOf = (cluster: string, namespace: string, pod: string) => workloadOfPod(pod, owners.get([cluster, namespace, pod].join("\u0000")));
  const out: Observation[] = [];

  if (readings["working-set"]) {
    const ids = ["cluster", "namespace", "pod", "container"];
    const limits = new Map(finite("memory-limit").map((s) => [key(s, ids), s.value]));
    for (const s of finite("working-set")) {
      const [cluster, namespace, pod, container] = ids.map((n) => l(s, n)) as [string, string, string, string];
      // cAdvisor's pod-level cgroup ("") and pause container ("POD") are not containers of the spec.
      if (!pod || !container || container === "POD") continue;
      const limit = limits.get(key(s, ids));
      out.push({ type: "memory", cluster, namespace, workload: workloadOf(cluster, namespace, pod), pod, container, workingSetBytes: s.value, ...(limit ? { limitBytes: limit } : {}) });
    }
  }

  if (readings["volume-used"] && readings["volume-capacity"]) {
    const ids = ["cluster", "namespace", "persistentvolumeclaim"];
    const capacity = new Map(finite("volume-capacity").map((s) => [key(s, ids), s.value]));
    // A StatefulSet's claims are named <template>-<pod>: the claim belongs to that pod's workload.
    const statefulPods = finite("pod-owner").filter((s) => l(s, "created_by_kind") === "StatefulSet");
    for (const s of finite("volume-used")) {
      const cap = capacity.get(key(s, ids));
      if (cap === undefined || cap <= 0) continue;
      const [cluster, namespace, claim] = ids.map((n) => l(s, n)) as [string, string, string];
      const owner = statefulPods.find((p) => l(p, "cluster") === cluster && l(p, "namespace") === namespace && claim.endsWith(`-${l(p, "pod")}`));
      out.push({ type: "volume", cluster, namespace, claim, ...(owner ? { workload: l(owner, "created_by_name") } : {}), usedBytes: s.value, capacityBytes: cap });
    }
  }

  const perService = (s: Series, check: MetricCheck, value: number): Observation => ({ type: "metric", cluster: l(s, "cluster"), namespace: l(s, "namespace"), workload: l(s, "service"), check, value });
  const requests = finite("requests").filter((s) => l(s, "service") !== "");
  out.push(...requests.map((s) => perService(s, "request-rate", s.value)));
  if (readings.errors) {
    const ids = ["cluster", "namespace", "service"];
    const errors = new Map(finite("errors").map((s) => [key(s, ids), s.value]));
    // No 5xx series at all is a share of 0, not an unknown one.
    for (const s of requests) if (s.value > 0) out.push(perService(s, "error-share", (errors.get(key(s, ids)) ?? 0) / s.value));
  }
  out.push(...finite("p99").filter((s) => l(s, "service") !== "").map((s) => perService(s, "p99-latency", s.value)));
  if (readings.throttled && readings.periods) out.push(...ratioPerWorkload(finite("throttled"), finite("periods"), workloadOf, "cpu-throttling"));
  if (readings["cpu-usage"] && readings["cpu-limit"]) out.push(...ratioPerWorkload(finite("cpu-usage"), finite("cpu-limit"), workloadOf, "cpu-saturation"));
  return out;
}
