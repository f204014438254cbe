import { AppsV1Api, CoreV1Api, makeInformer } from "@kubernetes/client-node";
import type { Informer, KubeConfig, KubernetesListObject, KubernetesObject, ObjectCache } from "@kubernetes/client-node";
import type { Logger } from "@autodevops/shared";
import type { NodeObject, PodObject } from "../detectors/observations.js";
import type { ClaimObject, ClusterEvent, ClusterView, ConfigMapObject, NamespaceObject, ReplicaSetObject, RolloutWorkload } from "./cluster-facts.js";

/** A cluster's objects kept current by list-and-watch; read synchronously, as often as wanted. */
export interface ClusterWatch extends ClusterView {
  /** True once every resource has been listed; stays true through watch restarts (the cache is kept). */
  readonly ready: boolean;
  stop(): Promise<void>;
}

export interface ClusterWatchOptions {
  cluster: string;
  /** With its current context already set. */
  kubeConfig: KubeConfig;
  log: Logger;
  /** Called on every add, update or delete the cache takes in. */
  onChange?: () => void;
}

const RESTART_BASE_MS = 500;
const RESTART_MAX_MS = 10_000;

type Source = { path: string; list: () => Promise<KubernetesListObject<KubernetesObject>> };
type Cache = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;

/**
 * Starts informers across all namespaces for what Scarlet reads and resolves once each has
 * listed. It rejects when a first list is refused (401/403: a wrong identity does not heal);
 * any later failure restarts that informer with a back-off, keeping its cache.
 */
export async function startClusterWatch({ cluster, kubeConfig, log, onChange }: ClusterWatchOptions): Promise<ClusterWatch> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const sources = {
    pods: { path: "/api/v1/pods", list: () => core.listPodForAllNamespaces() },
    deployments: { path: "/apis/apps/v1/deployments", list: () => apps.listDeploymentForAllNamespaces() },
    statefulSets: { path: "/apis/apps/v1/statefulsets", list: () => apps.listStatefulSetForAllNamespaces() },
    replicaSets: { path: "/apis/apps/v1/replicasets", list: () => apps.listReplicaSetForAllNamespaces() },
    nodes: { path: "/api/v1/nodes", list: () => core.listNode() },
    events: { path: "/api/v1/events", list: () => core.listEventForAllNamespaces() },
    claims: { path: "/api/v1/persistentvolumeclaims", list: () => core.listPersistentVolumeClaimForAllNamespaces() },
    namespaces: { path: "/api/v1/namespaces", list: () => core.listNamespace() },
    configMaps: { path: "/api/v1/configmaps", list: () => core.listConfigMapForAllNamespaces() },
  } satisfies Record<string, Source>;
  type Name = keyof typeof sources;

  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const listed = new Set<Name>();
  let settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const allListed = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));

  const informers = Object.fromEntries(
    (Object.entries(sources) as [Name, Source][]).map(([name, source]) => {
      let failures = 0;
      const informer: Cache = makeInformer(kubeConfig, source.path, async () => {
        const list = await source.list();
        failures = 0;
        listed.add(name);
        if (listed.size === Object.keys(sources).length) settle?.resolve();
        // The typed client turns timestamps into Dates and objects into model classes; watch
        // events arrive as plain JSON. One shape in the cache: the wire's.
        return JSON.parse(JSON.stringify(list)) as KubernetesListObject<KubernetesObject>;
      });
      if (onChange) informer.on("change", onChange);
      // ListWatch re-watches by itself when a watch ends (and re-lists on 410 Gone), but an
      // error (a refused connection, a failed list) stops it for good: restart it here.
      informer.on("error", (err: unknown) => {
        if (stopped) return;
        const code = (err as { code?: unknown; statusCode?: unknown }).code ?? (err as { statusCode?: unknown }).statusCode;
        if (!listed.has(name) && (code === 401 || code === 403)) {
          settle?.reject(new Error(`${cluster}: listing ${source.path} was refused (${String(code)})`));
          return;
        }
        const delayMs = Math.min(RESTART_BASE_MS * 2 ** failures, RESTART_MAX_MS);
        failures += 1;
        log.warn({ cluster, resource: name, err: err instanceof Error ? err.message : String(err), code, retryInMs: delayMs }, "watch failed; restarting");
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!stopped) informer.start().catch((e: unknown) => log.error({ cluster, resource: name, err: String(e) }, "informer restart threw"));
        }, delayMs);
        timers.add(timer);
      });
      return [name, informer];
    }),
  ) as Record<Name, Cache>;

  const stop = async () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    await Promise.all(Object.values(informers).map((i) => i.stop()));
  };

  try {
    // Awaited together so that a refusal rejecting `allListed` mid-start is handled at once.
    await Promise.all([allListed, ...Object.values(informers).map((i) => i.start())]);
  } catch (e) {
    await stop();
    throw e;
  }
  log.info({ cluster, resources: Object.keys(sources).length }, "cluster watch ready");

  // The cache holds the API's objects as they came; observations.ts types name the fields read.
  const read = <T>(name: Name, namespace?: string) => informers[name].list(namespace) as unknown as T[];
  return {
    cluster,
    get ready() {
      return !stopped && listed.size === Object.keys(sources).length;
    },
    pods: (namespace?: string) => read<PodObject>("pods", namespace),
    // List items come without `kind`; the detectors and workloadFacts tell the two apart by it.
    deployments: () => read<RolloutWorkload>("deployments").map((w) => ({ ...w, kind: "Deployment" })),
    statefulSets: () => read<RolloutWorkload>("statefulSets").map((w) => ({ ...w, kind: "StatefulSet" })),
    replicaSets: () => read<ReplicaSetObject>("replicaSets"),
    nodes: () => read<NodeObject>("nodes"),
    events: () => read<ClusterEvent>("events"),
    claims: () => read<ClaimObject>("claims"),
    namespaces: () => read<NamespaceObject>("namespaces"),
    configMaps: (namespace?: string) => read<ConfigMapObject>("configMaps", namespace),
    stop,
  };
}
