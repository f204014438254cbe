import type { KubeObject } from "../store/types.js";
import type { Pod, PodSpec, ResourceList } from "./kube-shapes.js";
import { bytes, containerLimits, containerRequests, formatResource, parseQuantity } from "./quantity.js";

/** Usage by quota resource name (`pods`, `requests.cpu` in millicores, `limits.memory` in bytes…). */
export type Usage = Record<string, number>;

export type Quota = KubeObject & { spec?: { hard?: ResourceList }; status?: { hard?: ResourceList; used?: ResourceList } };

// Object counts a quota can cap, by the store's resource key.
const COUNTED: Record<string, string> = {
  services: "services",
  configmaps: "configmaps",
  secrets: "secrets",
  persistentvolumeclaims: "persistentvolumeclaims",
  "count/services": "services",
  "count/configmaps": "configmaps",
  "count/secrets": "secrets",
  "count/persistentvolumeclaims": "persistentvolumeclaims",
  "count/deployments.apps": "apps/deployments",
  "count/replicasets.apps": "apps/replicasets",
  "count/statefulsets.apps": "apps/statefulsets",
  "count/daemonsets.apps": "apps/daemonsets",
};

/** The store resources whose objects some quota resource counts. */
export const COUNTED_RESOURCES = [...new Set(Object.values(COUNTED))];

/** Cores and bytes as the quota system adds them: in millicores for cpu, bytes for the rest. */
function amount(name: string, q: string | number | undefined): number {
  if (name.endsWith("cpu")) return Math.round(parseQuantity(q) * 1000);
  return bytes(q);
}

/** What one pod adds to each pod-related quota resource. */
export function podUsage(spec: PodSpec | undefined): Usage {
  let reqCpu = 0;
  let reqMem = 0;
  let limCpu = 0;
  let limMem = 0;
  for (const c of spec?.containers ?? []) {
    const r = containerRequests(c);
    const l = containerLimits(c);
    reqCpu += r.cpuMilli;
    reqMem += r.memoryBytes;
    limCpu += l.cpuMilli ?? 0;
    limMem += l.memoryBytes ?? 0;
  }
  return {
    pods: 1,
    "count/pods": 1,
    "requests.cpu": reqCpu,
    cpu: reqCpu,
    "requests.memory": reqMem,
    memory: reqMem,
    "limits.cpu": limCpu,
    "limits.memory": limMem,
  };
}

/** Pods the quota system counts: those not finished (a terminating pod counts until it is gone). */
function countsForQuota(p: Pod): boolean {
  return p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";
}

/** A namespace's usage from its objects: `objects(resourceKey)` lists them. */
export function namespaceUsage(objects: (resource: string) => KubeObject[]): Usage {
  const used: Usage = {};
  const add = (k: string, v: number) => (used[k] = (used[k] ?? 0) + v);
  for (const p of objects("pods") as Pod[]) {
    if (!countsForQuota(p)) continue;
    for (const [k, v] of Object.entries(podUsage(p.spec))) add(k, v);
  }
  for (const [name, resource] of Object.entries(COUNTED)) used[name] = objects(resource).length;
  let storage = 0;
  for (const pvc of objects("persistentvolumeclaims")) {
    const req = (pvc.spec as { resources?: { requests?: ResourceList } } | undefined)?.resources?.requests?.storage;
    storage += bytes(req);
  }
  used["requests.storage"] = storage;
  return used;
}

/** A quota's status: its hard limits and the namespace's usage of each, formatted as quantities. */
export function quotaStatus(quota: Quota, used: Usage): { hard: ResourceList; used: ResourceList } {
  const hard = { ...(quota.spec?.hard ?? {}) };
  const out: ResourceList = {};
  for (const name of Object.keys(hard)) out[name] = formatResource(name, used[name] ?? 0);
  return { hard, used: out };
}

const MUST_SPECIFY: Record<string, (c: { cpuReq: boolean; memReq: boolean; cpuLim: boolean; memLim: boolean }) => boolean> = {
  "requests.cpu": (c) => c.cpuReq,
  cpu: (c) => c.cpuReq,
  "requests.memory": (c) => c.memReq,
  memory: (c) => c.memReq,
  "limits.cpu": (c) => c.cpuLim,
  "limits.memory": (c) => c.memLim,
};

const pretty = (names: string[], values: (n: string) => number) =>
  [...names].sort().map((n) => `${n}=${formatResource(n, values(n))}`).join(",");

/**
 * The quota admission check for a new pod: the reason the API server would refuse it
 * (the text after `pods "x" is forbidden: `), or undefined when every quota admits it.
 */
export function quotaRefusal(quotas: Quota[], used: Usage, spec: PodSpec | undefined): string | undefined {
  const add = podUsage(spec);
  for (const quota of [...quotas].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const hard = quota.spec?.hard ?? {};
    const missing: string[] = [];
    for (const [name, has] of Object.entries(MUST_SPECIFY)) {
      if (hard[name] === undefined) continue;
      const without = (spec?.containers ?? [])
        .filter((c) => {
          const r = c.resources ?? {};
          return !has({
            cpuReq: (r.requests?.cpu ?? r.limits?.cpu) !== undefined,
            memReq: (r.requests?.memory ?? r.limits?.memory) !== undefined,
            cpuLim: r.limits?.cpu !== undefined,
            memLim: r.limits?.memory !== undefined,
          });
        })
        .map((c) => c.name);
      if (without.length) missing.push(`${name} for: ${without.join(",")}`);
    }
    if (missing.length) return `failed quota: ${quota.metadata.name}: must specify ${missing.sort().join("; ")}`;
    const exceeded = Object.keys(hard).filter((name) => add[name] !== undefined && (used[name] ?? 0) + (add[name] ?? 0) > amount(name, hard[name]));
    if (exceeded.length) {
      return (
        `exceeded quota: ${quota.metadata.name}, requested: ${pretty(exceeded, (n) => add[n] ?? 0)}, ` +
        `used: ${pretty(exceeded, (n) => used[n] ?? 0)}, limited: ${pretty(exceeded, (n) => amount(n, hard[n]))}`
      );
    }
  }
  return undefined;
}
