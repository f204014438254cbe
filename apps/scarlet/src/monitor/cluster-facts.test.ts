import { describe, expect, it } from "vitest";
import { Action } from "@autodevops/shared";
import type { NodeObject, PodObject } from "../detectors/observations.js";
import { detectEvent } from "../detectors/event-detector.js";
import { detectorSettings } from "../detectors/settings.js";
import { annotationsOf, observationsOf, playbookContext, targetFactsOf, workloadHealth, missingConfig } from "./cluster-facts.js";
import type { ClaimObject, ClusterEvent, ClusterView, NamespaceObject, ReplicaSetObject, RolloutWorkload } from "./cluster-facts.js";

const NOW = new Date("2025-05-01T12:00:00Z");
const ago = (min: number) => new Date(NOW.getTime() - min * 60_000).toISOString();

function pod(name: string, owner: { kind: string; name: string }, opts: { node?: string; ready?: boolean; memory?: string | null; waiting?: string; restarts?: number; deleting?: boolean } = {}): PodObject {
  return {
    metadata: { name, namespace: "shop", ownerReferences: [owner], ...(opts.deleting ? { deletionTimestamp: ago(0) } : {}) },
    spec: { nodeName: opts.node ?? "node-a", containers: [{ name: "app", resources: opts.memory === null ? {} : { limits: { memory: opts.memory ?? "256Mi" } } }] },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }],
      containerStatuses: [{ name: "app", ready: opts.ready !== false, restartCount: opts.restarts ?? 0, ...(opts.waiting ? { state: { waiting: { reason: opts.waiting } } } : {}) }],
    },
  };
}

const rs = (name: string): { kind: string; name: string } => ({ kind: "ReplicaSet", name });
const frontend: RolloutWorkload = {
  kind: "Deployment",
  metadata: { name: "frontend", namespace: "shop", annotations: { "autodevops.io/autonomy": "approval", "deployment.kubernetes.io/revision": "2" } },
  spec: { replicas: 4, strategy: { rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } } },
  status: { replicas: 4, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 4 },
};
const cart: RolloutWorkload = { kind: "Deployment", metadata: { name: "cart", namespace: "shop" }, spec: { replicas: 2 }, status: { readyReplicas: 1, availableReplicas: 1, updatedReplicas: 2 } };
const db: RolloutWorkload = { kind: "StatefulSet", metadata: { name: "catalog-db", namespace: "shop" }, spec: { replicas: 1 }, status: { readyReplicas: 1 } };

const pods: PodObject[] = [
  pod("frontend-7d9f-aaaaa", rs("frontend-7d9f")),
  pod("frontend-7d9f-bbbbb", rs("frontend-7d9f")),
  pod("frontend-7d9f-ccccc", rs("frontend-7d9f"), { node: "node-b" }),
  pod("frontend-7d9f-ddddd", rs("frontend-7d9f"), { node: "node-b", ready: false }),
  pod("frontend-7d9f-eeeee", rs("frontend-7d9f"), { deleting: true }),
  pod("cart-5c4b-aaaaa", rs("cart-5c4b"), { ready: false, waiting: "CrashLoopBackOff", restarts: 7 }),
  pod("cart-5c4b-bbbbb", rs("cart-5c4b"), { node: "node-b", restarts: 1 }),
  pod("catalog-db-0", { kind: "StatefulSet", name: "catalog-db" }, { memory: null }),
  pod("node-exporter-x1", { kind: "DaemonSet", name: "node-exporter" }),
];
const nodes: NodeObject[] = [
  { metadata: { name: "node-a", annotations: { "autodevops.io/maintenance": "kernel upgrade" } } },
  { metadata: { name: "node-b" } },
];
const events: ClusterEvent[] = [
  { metadata: { name: "fresh", namespace: "shop" }, reason: "BackOff", lastTimestamp: ago(2), involvedObject: { kind: "Pod", name: "cart-5c4b-aaaaa" } },
  { metadata: { name: "stale", namespace: "shop" }, reason: "BackOff", lastTimestamp: ago(11), involvedObject: { kind: "Pod", name: "cart-5c4b-aaaaa" } },
  { metadata: { name: "new-style", namespace: "shop" }, reason: "Scheduled", eventTime: ago(1), involvedObject: { kind: "Pod", name: "cart-5c4b-bbbbb" } },
  { metadata: { name: "undated", namespace: "shop" }, reason: "Pulled", involvedObject: { kind: "Pod", name: "cart-5c4b-bbbbb" } },
  // As the node controller writes it: no source.host.
  { metadata: { name: "node-lost", namespace: "shop" }, reason: "NodeNotReady", type: "Warning", lastTimestamp: ago(1), source: { component: "node-controller" }, involvedObject: { kind: "Pod", namespace: "shop", name: "frontend-7d9f-ccccc" } },
];
const replicaSets: ReplicaSetObject[] = [
  { metadata: { name: "frontend-7d9f", namespace: "shop", creationTimestamp: ago(30), annotations: { "deployment.kubernetes.io/revision": "2" }, ownerReferences: [{ kind: "Deployment", name: "frontend" }] } },
  { metadata: { name: "frontend-1a2b", namespace: "shop", annotations: { "deployment.kubernetes.io/revision": "1", "deployment.kubernetes.io/desired-replicas": "4" }, ownerReferences: [{ kind: "Deployment", name: "frontend" }] } },
];
const namespaces: NamespaceObject[] = [{ metadata: { name: "shop", annotations: { "autodevops.io/freeze-until": "2025-05-02T00:00:00Z" } } }];

const view: ClusterView = {
  cluster: "prod",
  pods: (ns?: string) => pods.filter((p) => ns === undefined || p.metadata.namespace === ns),
  deployments: () => [frontend, cart],
  statefulSets: () => [db],
  replicaSets: () => replicaSets,
  nodes: () => nodes,
  events: () => events,
  claims: (): ClaimObject[] => [],
  namespaces: () => namespaces,
};

const action = (a: unknown): Action => Action.parse(a);

describe("cluster facts from the watch's objects", () => {
  it("feeds pods, workloads with their kind, nodes and only the events of the last 10 minutes", () => {
    const obs = observationsOf(view, NOW);
    expect(obs.filter((o) => o.type === "pod")).toHaveLength(pods.length);
    expect(obs.flatMap((o) => (o.type === "workload" ? [`${o.workload.kind}/${o.workload.metadata.name}`] : []))).toEqual(["Deployment/frontend", "Deployment/cart", "StatefulSet/catalog-db"]);
    expect(obs.filter((o) => o.type === "node")).toHaveLength(2);
    expect(obs.flatMap((o) => (o.type === "event" ? [o.event.metadata.name] : []))).toEqual(["fresh", "new-style", "node-lost"]);
  });

  it("gives a pod's event the node the pod runs on, so that the node controller's NodeNotReady is laid at its node's door", () => {
    const obs = observationsOf(view, NOW).filter((o) => o.type === "event");
    expect(obs.find((o) => o.event.metadata.name === "node-lost")).toMatchObject({ node: "node-b" });
    expect(obs.find((o) => o.event.metadata.name === "fresh")).toMatchObject({ node: "node-a" });
    const [f] = obs.flatMap((o) => (o.event.metadata.name === "node-lost" ? detectEvent(o, NOW, detectorSettings()) : []));
    expect(f).toMatchObject({ name: "event.node-not-ready", kind: "node-not-ready", pod: "frontend-7d9f-ccccc", node: "node-b" });
  });

  it("gives a workload's desired replicas, its Ready pods by name and maxUnavailable 25 % of 4 as 1", () => {
    const facts = targetFactsOf(view, action({ kind: "rollout-restart", cluster: "prod", namespace: "shop", target: "frontend", params: {} }));
    expect(facts).toEqual({ kind: "workload", replicas: 4, readyPods: ["frontend-7d9f-aaaaa", "frontend-7d9f-bbbbb", "frontend-7d9f-ccccc"], maxUnavailable: 1 });
  });

  it("leaves maxUnavailable out when the workload does not set it, and knows nothing of a workload not in the cache", () => {
    expect(targetFactsOf(view, action({ kind: "delete-pod", cluster: "prod", namespace: "shop", target: "cart", params: { pod: "cart-5c4b-aaaaa" } }))).toEqual({ kind: "workload", replicas: 2, readyPods: ["cart-5c4b-bbbbb"] });
    expect(targetFactsOf(view, action({ kind: "scale", cluster: "prod", namespace: "shop", target: "catalog-db", params: { replicas: 2, workloadKind: "StatefulSet" } }))).toEqual({ kind: "workload", replicas: 1, readyPods: ["catalog-db-0"] });
    expect(targetFactsOf(view, action({ kind: "rollback", cluster: "prod", namespace: "shop", target: "ghost", params: {} }))).toBeUndefined();
  });

  it("counts the Ready pods each workload has on a node, leaving DaemonSet pods out", () => {
    const drain = (node: string) => targetFactsOf(view, action({ kind: "drain-node", cluster: "prod", namespace: "", target: node, params: {} }));
    expect(drain("node-b")).toEqual({
      kind: "node",
      workloads: [
        { namespace: "shop", name: "frontend", replicas: 4, readyOnNode: 1 },
        { namespace: "shop", name: "cart", replicas: 2, readyOnNode: 1 },
      ],
    });
    expect(drain("node-a")).toMatchObject({ kind: "node", workloads: expect.arrayContaining([{ namespace: "shop", name: "catalog-db", replicas: 1, readyOnNode: 1 }]) });
    expect(drain("node-z")).toBeUndefined();
  });

  it("builds workload facts with revision history and each node's pods with their memory limits", () => {
    const ctx = playbookContext(view, NOW, { rolloutWindowMs: 60_000 });
    expect(ctx).toMatchObject({ cluster: "prod", now: NOW, changes: [], rolloutWindowMs: 60_000 });
    expect(ctx.workloads?.find((w) => w.name === "frontend")).toMatchObject({ kind: "Deployment", replicas: 4, available: 3, revision: 2, previousRevision: 1, previousRan: true, revisionAt: ago(30) });
    expect(ctx.workloads?.find((w) => w.name === "catalog-db")).toMatchObject({ kind: "StatefulSet", available: 1 });
    const nodeA = ctx.nodes?.find((n) => n.name === "node-a")?.pods ?? [];
    expect(nodeA.find((p) => p.name === "frontend-7d9f-aaaaa")).toEqual({ namespace: "shop", name: "frontend-7d9f-aaaaa", workload: "frontend", workloadKind: "Deployment", memoryLimitBytes: 256 * 2 ** 20 });
    // No memory limit: it may take the node's memory, which is what the noisy-neighbour playbook looks for.
    expect(nodeA.find((p) => p.name === "catalog-db-0")).toEqual({ namespace: "shop", name: "catalog-db-0", workload: "catalog-db", workloadKind: "StatefulSet" });
    expect(nodeA.find((p) => p.name === "node-exporter-x1")).toMatchObject({ workload: "node-exporter", workloadKind: "DaemonSet" });
  });

  it("reads the namespace's annotations beside the workload's or the node's", () => {
    expect(annotationsOf(view, "shop", "frontend")).toEqual({
      namespace: { "autodevops.io/freeze-until": "2025-05-02T00:00:00Z" },
      target: { "autodevops.io/autonomy": "approval", "deployment.kubernetes.io/revision": "2" },
    });
    expect(annotationsOf(view, "", { node: "node-a" })).toEqual({ namespace: {}, target: { "autodevops.io/maintenance": "kernel upgrade" } });
    expect(annotationsOf(view, "shop", "ghost")).toEqual({ namespace: { "autodevops.io/freeze-until": "2025-05-02T00:00:00Z" }, target: {} });
  });

  it("sums a workload's restarts and counts its crash-looping pods, ignoring pods on their way out", () => {
    expect(workloadHealth(view, "shop", "cart")).toEqual({ replicas: 2, ready: 1, available: 1, updated: 2, crashLooping: 1, restarts: 8, podNames: ["cart-5c4b-aaaaa", "cart-5c4b-bbbbb"] });
    expect(workloadHealth(view, "shop", "frontend")?.podNames).not.toContain("frontend-7d9f-eeeee");
    expect(workloadHealth(view, "shop", "ghost")).toBeUndefined();
  });
});

describe("missingConfig", () => {
  it("lists the ConfigMap keys and whole ConfigMaps a template reads that do not exist, skipping optional ones", () => {
    const w = {
      metadata: { name: "cart", namespace: "shop" },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "cart",
                env: [
                  { name: "A", valueFrom: { configMapKeyRef: { name: "cart-config", key: "REDIS_ADDR" } } },
                  { name: "B", valueFrom: { configMapKeyRef: { name: "cart-config", key: "PRESENT" } } },
                  { name: "C", valueFrom: { configMapKeyRef: { name: "cart-config", key: "MAYBE", optional: true } } },
                ],
                envFrom: [{ configMapRef: { name: "gone" } }, { configMapRef: { name: "cart-config" } }],
              },
            ],
          },
        },
      },
    } as unknown as Parameters<typeof missingConfig>[0];
    const maps = [{ metadata: { name: "cart-config", namespace: "shop" }, data: { PRESENT: "1" } }, { metadata: { name: "gone", namespace: "other" } }];
    expect(missingConfig(w, maps)).toEqual([{ configMap: "cart-config", key: "REDIS_ADDR" }, { configMap: "gone" }]);
  });
});
