import type { KubeObject } from "../store/types.js";

/** Server-side printing: the `meta.k8s.io/v1` Table kubectl asks for, with the columns a real server gives. */

interface Column {
  name: string;
  type: "string" | "integer" | "date";
  format?: string;
  description: string;
  priority: number;
  cell: (o: KubeObject, now: Date) => string | number;
}

type Any = Record<string, unknown>;
const get = (o: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((cur, p) => (cur && typeof cur === "object" ? (cur as Any)[p] : undefined), o);
const num = (v: unknown) => (typeof v === "number" ? v : 0);
const arr = (v: unknown): Any[] => (Array.isArray(v) ? (v as Any[]) : []);

/** kubectl's HumanDuration: `45s`, `3m12s`, `25m`, `5h3m`, `30h`, `4d2h`, `120d`. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 192) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 730) return `${d}d`;
  return `${Math.floor(d / 365)}y${d % 365}d`;
}

const age = (t: unknown, now: Date) => (typeof t === "string" ? humanDuration(now.getTime() - Date.parse(t)) : "<unknown>");
const name: Column = { name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace.", priority: 0, cell: (o) => o.metadata.name };
const ageCol: Column = { name: "Age", type: "string", description: "CreationTimestamp", priority: 0, cell: (o, now) => age(o.metadata.creationTimestamp, now) };
const col = (title: string, cell: Column["cell"], priority = 0, type: Column["type"] = "string"): Column => ({
  name: title,
  type,
  description: title,
  priority,
  cell,
});

/** The STATUS column of `kubectl get pods`, computed as kubectl's printer does. */
export function podStatus(pod: KubeObject): string {
  let reason = (get(pod, "status.reason") as string | undefined) ?? (get(pod, "status.phase") as string | undefined) ?? "Unknown";
  for (const cs of arr(get(pod, "status.initContainerStatuses"))) {
    const waiting = get(cs, "state.waiting.reason") as string | undefined;
    const exit = get(cs, "state.terminated.exitCode") as number | undefined;
    if (exit === 0) continue;
    if (exit !== undefined) return `Init:${(get(cs, "state.terminated.reason") as string | undefined) ?? `ExitCode:${exit}`}`;
    if (waiting && waiting !== "PodInitializing") return `Init:${waiting}`;
  }
  let running = false;
  for (const cs of [...arr(get(pod, "status.containerStatuses"))].reverse()) {
    const waiting = get(cs, "state.waiting.reason") as string | undefined;
    const term = get(cs, "state.terminated") as Any | undefined;
    if (waiting) reason = waiting;
    else if (term) reason = (term.reason as string | undefined) ?? (term.signal ? `Signal:${String(term.signal)}` : `ExitCode:${String(term.exitCode)}`);
    else if (get(cs, "ready") === true && get(cs, "state.running")) running = true;
  }
  if (reason === "Completed" && running) reason = "Running";
  if (pod.metadata.deletionTimestamp) reason = get(pod, "status.reason") === "NodeLost" ? "Unknown" : "Terminating";
  return reason;
}

function podRestarts(pod: KubeObject, now: Date): string {
  const statuses = arr(get(pod, "status.containerStatuses"));
  const restarts = statuses.reduce((n, cs) => n + num(cs.restartCount), 0);
  const last = statuses
    .map((cs) => get(cs, "lastState.terminated.finishedAt") as string | undefined)
    .filter((t): t is string => Boolean(t))
    .sort()
    .at(-1);
  return last && restarts > 0 ? `${restarts} (${humanDuration(now.getTime() - Date.parse(last))} ago)` : String(restarts);
}

function nodeStatus(node: KubeObject): string {
  const ready = arr(get(node, "status.conditions")).find((c) => c.type === "Ready");
  const parts = [ready?.status === "True" ? "Ready" : ready?.status === "False" ? "NotReady" : "Unknown"];
  if (get(node, "spec.unschedulable") === true) parts.push("SchedulingDisabled");
  return parts.join(",");
}

function servicePorts(svc: KubeObject): string {
  const ports = arr(get(svc, "spec.ports")).map((p) => `${String(p.port)}${p.nodePort ? `:${String(p.nodePort)}` : ""}/${String(p.protocol ?? "TCP")}`);
  return ports.length ? ports.join(",") : "<none>";
}

function endpointsList(ep: KubeObject): string {
  const out: string[] = [];
  for (const subset of arr(get(ep, "subsets"))) {
    for (const a of arr(subset.addresses)) for (const p of arr(subset.ports)) out.push(`${String(a.ip)}:${String(p.port)}`);
  }
  if (out.length === 0) return "<none>";
  return out.length > 3 ? `${out.slice(0, 3).join(",")} + ${out.length - 3} more...` : out.join(",");
}

const images = (o: KubeObject) => arr(get(o, "spec.template.spec.containers")).map((c) => String(c.image)).join(",");
const containers = (o: KubeObject) => arr(get(o, "spec.template.spec.containers")).map((c) => String(c.name)).join(",");
const selector = (o: KubeObject) => {
  const ml = (get(o, "spec.selector.matchLabels") ?? get(o, "spec.selector")) as Record<string, string> | undefined;
  return ml && typeof ml === "object" ? Object.entries(ml).map(([k, v]) => `${k}=${v}`).join(",") || "<none>" : "<none>";
};

/** The `-o wide` columns of every workload with a pod template and a selector. */
const templateWide = [col("Containers", containers, 1), col("Images", images, 1), col("Selector", selector, 1)];

const COLUMNS: Record<string, Column[]> = {
  pods: [
    name,
    col("Ready", (o) => {
      const cs = arr(get(o, "status.containerStatuses"));
      const total = arr(get(o, "spec.containers")).length;
      return `${cs.filter((c) => c.ready === true).length}/${total}`;
    }),
    col("Status", podStatus),
    col("Restarts", podRestarts),
    ageCol,
    col("IP", (o) => (get(o, "status.podIP") as string | undefined) ?? "<none>", 1),
    col("Node", (o) => (get(o, "spec.nodeName") as string | undefined) ?? "<none>", 1),
    col("Nominated Node", () => "<none>", 1),
    col("Readiness Gates", () => "<none>", 1),
  ],
  "apps/deployments": [
    name,
    col("Ready", (o) => `${num(get(o, "status.readyReplicas"))}/${num(get(o, "spec.replicas"))}`),
    col("Up-to-date", (o) => num(get(o, "status.updatedReplicas")), 0, "integer"),
    col("Available", (o) => num(get(o, "status.availableReplicas")), 0, "integer"),
    ageCol,
    ...templateWide,
  ],
  "apps/replicasets": [
    name,
    col("Desired", (o) => num(get(o, "spec.replicas")), 0, "integer"),
    col("Current", (o) => num(get(o, "status.replicas")), 0, "integer"),
    col("Ready", (o) => num(get(o, "status.readyReplicas")), 0, "integer"),
    ageCol,
    ...templateWide,
  ],
  "apps/statefulsets": [
    name,
    col("Ready", (o) => `${num(get(o, "status.readyReplicas"))}/${num(get(o, "spec.replicas"))}`),
    ageCol,
    col("Containers", containers, 1),
    col("Images", images, 1),
  ],
  "apps/daemonsets": [
    name,
    col("Desired", (o) => num(get(o, "status.desiredNumberScheduled")), 0, "integer"),
    col("Current", (o) => num(get(o, "status.currentNumberScheduled")), 0, "integer"),
    col("Ready", (o) => num(get(o, "status.numberReady")), 0, "integer"),
    col("Up-to-date", (o) => num(get(o, "status.updatedNumberScheduled")), 0, "integer"),
    col("Available", (o) => num(get(o, "status.numberAvailable")), 0, "integer"),
    col("Node Selector", (o) => {
      const ns = get(o, "spec.template.spec.nodeSelector") as Record<string, string> | undefined;
      return ns ? Object.entries(ns).map(([k, v]) => `${k}=${v}`).join(",") : "<none>";
    }),
    ageCol,
  ],
  nodes: [
    name,
    col("Status", nodeStatus),
    col("Roles", (o) => {
      const roles = Object.keys(o.metadata.labels ?? {})
        .filter((k) => k.startsWith("node-role.kubernetes.io/"))
        .map((k) => k.slice("node-role.kubernetes.io/".length));
      return roles.length ? roles.join(",") : "<none>";
    }),
    ageCol,
    col("Version", (o) => (get(o, "status.nodeInfo.kubeletVersion") as string | undefined) ?? ""),
    col("Internal-IP", (o) => String(arr(get(o, "status.addresses")).find((a) => a.type === "InternalIP")?.address ?? "<none>"), 1),
    col("OS-Image", (o) => (get(o, "status.nodeInfo.osImage") as string | undefined) ?? "", 1),
    col("Container-Runtime", (o) => (get(o, "status.nodeInfo.containerRuntimeVersion") as string | undefined) ?? "", 1),
  ],
  namespaces: [name, col("Status", (o) => (get(o, "status.phase") as string | undefined) ?? "Active"), ageCol],
  services: [
    name,
    col("Type", (o) => (get(o, "spec.type") as string | undefined) ?? "ClusterIP"),
    col("Cluster-IP", (o) => (get(o, "spec.clusterIP") as string | undefined) ?? "<none>"),
    col("External-IP", () => "<none>"),
    col("Port(s)", servicePorts),
    ageCol,
    col("Selector", (o) => {
      const s = get(o, "spec.selector") as Record<string, string> | undefined;
      return s ? Object.entries(s).map(([k, v]) => `${k}=${v}`).join(",") : "<none>";
    }, 1),
  ],
  endpoints: [name, col("Endpoints", endpointsList), ageCol],
  configmaps: [name, col("Data", (o) => Object.keys((o.data as Any | undefined) ?? {}).length, 0, "integer"), ageCol],
  secrets: [
    name,
    col("Type", (o) => String(o.type ?? "Opaque")),
    col("Data", (o) => Object.keys((o.data as Any | undefined) ?? {}).length, 0, "integer"),
    ageCol,
  ],
  persistentvolumeclaims: [
    name,
    col("Status", (o) => (get(o, "status.phase") as string | undefined) ?? "Pending"),
    col("Volume", (o) => (get(o, "spec.volumeName") as string | undefined) ?? ""),
    col("Capacity", (o) => (get(o, "status.capacity.storage") as string | undefined) ?? ""),
    col("Access Modes", (o) => arr(get(o, "spec.accessModes")).map((m) => (String(m) === "ReadWriteOnce" ? "RWO" : String(m))).join(",")),
    col("StorageClass", (o) => (get(o, "spec.storageClassName") as string | undefined) ?? "<unset>"),
    ageCol,
  ],
  events: [
    col("Last Seen", (o, now) => age(o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp, now)),
    col("Type", (o) => String(o.type ?? "")),
    col("Reason", (o) => String(o.reason ?? "")),
    col("Object", (o) => `${String(get(o, "involvedObject.kind") ?? "").toLowerCase()}/${String(get(o, "involvedObject.name") ?? "")}`),
    col("Message", (o) => String(o.message ?? "")),
    col("Source", (o) => String(get(o, "source.component") ?? ""), 1),
    col("First Seen", (o, now) => age(o.firstTimestamp, now), 1),
    col("Count", (o) => num(o.count), 1, "integer"),
    { ...name, priority: 1 },
  ],
  "coordination.k8s.io/leases": [name, col("Holder", (o) => String(get(o, "spec.holderIdentity") ?? "")), ageCol],
};

/** What each row carries, as the `includeObject` query parameter asks (kubectl's `--sort-by` wants whole objects). */
export type IncludeObject = "None" | "Object" | "PartialObjectMetadata";

/** Builds the Table kubectl renders from full objects (already carrying kind and apiVersion). */
export function toTable(
  resource: string,
  objects: KubeObject[],
  resourceVersion: string,
  now: Date,
  include: IncludeObject = "PartialObjectMetadata",
): Record<string, unknown> {
  const columns = COLUMNS[resource] ?? [name, ageCol];
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion },
    columnDefinitions: columns.map(({ cell: _c, ...c }) => ({ format: "", ...c })),
    rows: objects.map((o) => ({
      cells: columns.map((c) => c.cell(o, now)),
      ...(include === "None"
        ? {}
        : { object: include === "Object" ? o : { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata } }),
    })),
  };
}

export function includeObjectOf(url: URL): IncludeObject {
  const v = url.searchParams.get("includeObject");
  return v === "None" || v === "Object" ? v : "PartialObjectMetadata";
}

/** Does the Accept header ask for server-side printing? */
export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? "");
}
