import { randomBytes, randomUUID } from "node:crypto";
import type { SimCluster } from "../cluster.js";
import { startControllers, type RunningControllers } from "../controllers/index.js";
import { typed, type Deployment, type Pod, type StatefulSet } from "../controllers/kube-shapes.js";
import { waitFor } from "../controllers/test-cluster.js";
import { applyEstate } from "../estate/apply-estate.js";
import { buildEstate } from "../estate/build-estate.js";
import type { ClusterName } from "../estate/cluster-name.js";
import { ContainerLogs } from "../runtime/container-logs.js";
import { ClusterStore } from "../store/cluster-store.js";

/**
 * For telemetry's tests: one cluster with the baseline estate and running controllers, as the
 * sandbox starts it (without the API servers), resolved once every workload is fully available.
 */
export type EstateCluster = SimCluster & { controllers: RunningControllers; stop(): void };

const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const randomSuffix = () => [...randomBytes(5)].map((b) => ALPHABET[b % ALPHABET.length]).join("");

export async function startEstateCluster(name: ClusterName): Promise<EstateCluster> {
  const store = new ClusterStore({ now: () => new Date(), newUid: randomUUID, randomSuffix });
  const cluster: SimCluster = { name, store, logs: new ContainerLogs() };
  const controllers = startControllers({ cluster, log: { warn: () => {}, error: () => {} } });
  await applyEstate(store, buildEstate(name, new Date()));
  await waitFor("every workload available", () => allAvailable(store), 30_000);
  return { ...cluster, controllers, stop: () => controllers.stop() };
}

function allAvailable(store: ClusterStore): boolean {
  const deps = store.list("apps/deployments").items.map((o) => typed<Deployment>(o));
  const sts = store.list("apps/statefulsets").items.map((o) => typed<StatefulSet>(o));
  return (
    deps.length > 0 &&
    deps.every((d) => (d.status?.availableReplicas ?? 0) === (d.spec?.replicas ?? 1) && (d.status?.replicas ?? 0) === (d.spec?.replicas ?? 1)) &&
    sts.every((s) => s.status?.readyReplicas === (s.spec?.replicas ?? 1))
  );
}

/** Pods of a service that are Ready now. */
export function readyPodsOf(store: ClusterStore, namespace: string, app: string): Pod[] {
  return store
    .list("pods", { namespace })
    .items.map((o) => typed<Pod>(o))
    .filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
}
