import { eventually } from "@autodevops/shared/testing";
import { randomUUID } from "node:crypto";
import type { SimCluster } from "../cluster.js";
import { ContainerLogs } from "../runtime/container-logs.js";
import { ClusterStore } from "../store/cluster-store.js";
import type { KubeObject, KubeObjectInput } from "../store/types.js";
import type { ContainerBehaviour } from "./container-behaviour.js";
import { typed, type Container, type Pod } from "./kube-shapes.js";
import { nameSuffix } from "./pod-creation.js";
import { startControllers, type RunningControllers } from "./start-controllers.js";

/**
 * A cluster with running controllers for the controllers' tests: a real store, namespaces,
 * nodes as the estate registers them, and a log that keeps what the controllers report.
 */
export type TestCluster = SimCluster & {
  controllers: RunningControllers;
  /** What the controllers logged as warnings or errors. */
  problems: { level: "warn" | "error"; fields: object; msg: string }[];
  stop(): void;
};

export type TestNode = { name: string; cpu?: string; memory?: string; unschedulable?: boolean };

export function startTestCluster(opts: { nodes?: TestNode[]; namespaces?: string[]; behaviour?: ContainerBehaviour } = {}): TestCluster {
  const store = new ClusterStore({ now: () => new Date(), newUid: randomUUID, randomSuffix: () => nameSuffix(Math.random) });
  for (const name of ["default", "kube-system", "kube-node-lease", ...(opts.namespaces ?? ["shop"])]) {
    store.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name }, status: { phase: "Active" } });
  }
  const nodes = opts.nodes ?? [{ name: "node-a" }, { name: "node-b" }, { name: "node-c" }];
  const at = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  nodes.forEach((n, i) => {
    const capacity = { cpu: n.cpu ?? "4", memory: n.memory ?? "16Gi", pods: "110" };
    store.create("nodes", {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: n.name, labels: { "kubernetes.io/hostname": n.name, "kubernetes.io/os": "linux" } },
      spec: { podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`], ...(n.unschedulable ? { unschedulable: true } : {}) },
      status: {
        capacity,
        allocatable: capacity,
        conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: at, lastTransitionTime: at }],
        addresses: [
          { type: "InternalIP", address: `10.0.1.${11 + i}` },
          { type: "Hostname", address: n.name },
        ],
      },
    });
  });
  const problems: TestCluster["problems"] = [];
  const cluster: SimCluster = { name: "test", store, logs: new ContainerLogs() };
  const controllers = startControllers({
    cluster,
    log: {
      warn: (fields, msg) => problems.push({ level: "warn", fields, msg }),
      error: (fields, msg) => problems.push({ level: "error", fields, msg }),
    },
    ...(opts.behaviour ? { behaviour: opts.behaviour } : {}),
  });
  return { ...cluster, controllers, problems, stop: () => controllers.stop() };
}

/** Polls until `probe` returns a value (not undefined, null or false), or fails naming what it waited for. */
export const waitFor = <T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 20_000): Promise<T> => eventually(probe, what, timeoutMs, 25);

export type AppOptions = {
  replicas?: number;
  image?: string;
  cpu?: string;
  memory?: string;
  readiness?: boolean;
  container?: Partial<Container>;
  strategy?: Record<string, unknown>;
  annotations?: Record<string, string>;
};

function appContainer(name: string, o: AppOptions): Container {
  return {
    name,
    image: o.image ?? `registry.example.com/shop/${name}:1.0.0`,
    imagePullPolicy: "IfNotPresent",
    ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
    resources: { requests: { cpu: o.cpu ?? "100m", memory: o.memory ?? "128Mi" }, limits: { memory: o.memory ?? "128Mi" } },
    ...(o.readiness === false ? {} : { readinessProbe: { httpGet: { path: "/readyz", port: 8080 }, initialDelaySeconds: 1, periodSeconds: 2 } }),
    ...(o.container ?? {}),
  };
}

/** A Deployment of one container, as a client would send it. */
export function deploymentInput(name: string, namespace: string, o: AppOptions = {}): KubeObjectInput {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels: { app: name }, ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      strategy: o.strategy ?? { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [appContainer(name, o)], restartPolicy: "Always", terminationGracePeriodSeconds: 5 },
      },
    },
  };
}

/** A bare pod of one container. */
export function podInput(name: string, namespace: string, o: AppOptions = {}): KubeObjectInput {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels: { app: name } },
    spec: { containers: [appContainer(name, o)], restartPolicy: "Always", terminationGracePeriodSeconds: 5 },
    status: { phase: "Pending" },
  };
}

export function mustCreate(store: ClusterStore, resource: string, input: KubeObjectInput): KubeObject {
  const r = store.create(resource, input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

export function podsWith(store: ClusterStore, namespace: string, label: Record<string, string>): Pod[] {
  return store
    .list("pods", { namespace })
    .items.map((o) => typed<Pod>(o))
    .filter((p) => Object.entries(label).every(([k, v]) => p.metadata.labels?.[k] === v));
}

export const isRunningReady = (p: Pod) =>
  p.status?.phase === "Running" && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true && !p.metadata.deletionTimestamp;

/** Events about an object, by reason. */
export function eventsFor(store: ClusterStore, name: string, reason?: string): KubeObject[] {
  return store
    .list("events")
    .items.filter((e) => (e.involvedObject as { name?: string }).name === name && (reason === undefined || e.reason === reason));
}
