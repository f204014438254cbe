import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterStore } from "../store/cluster-store.js";
import { resourceForKind } from "../store/resources.js";
import type { KubeObject, KubeObjectInput } from "../store/types.js";
import type { Estate } from "./build-estate.js";
import { recordField } from "./json-record.js";

/** Resolves once the deployment controller has made revision 1's ReplicaSet of `deployment`. */
export type WaitForRevision = (deployment: KubeObject) => Promise<void>;

export interface ApplyEstateOptions {
  /**
   * `false`: create every Deployment at its current revision only, without the history step.
   * For a store with no controllers running (unit tests), where no ReplicaSet would ever appear.
   * Default `true`.
   */
  history?: boolean;
  /** How to wait for revision 1's ReplicaSet. Default: `pollForFirstReplicaSet(store)`. */
  waitForRevision?: WaitForRevision;
}

/** Types in the order they can be created: what others refer to (nodes, namespaces, config) first. */
const CREATE_ORDER = [
  "nodes",
  "namespaces",
  "serviceaccounts",
  "secrets",
  "configmaps",
  "services",
  "endpoints",
  "persistentvolumeclaims",
  "apps/statefulsets",
  "apps/daemonsets",
  "apps/deployments",
];

const REVISION = "deployment.kubernetes.io/revision";

function resourceKeyOf(o: KubeObjectInput): string {
  const type = resourceForKind(String(o.apiVersion), String(o.kind));
  if (!type) throw new Error(`estate object ${String(o.kind)} ${o.metadata.name ?? ""} (${String(o.apiVersion)}) is of a type the sandbox does not serve`);
  return type.key;
}

const refOf = (o: KubeObjectInput) => `${String(o.kind)} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name ?? ""}`;
const nameKey = (o: KubeObjectInput) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

function rank(key: string): number {
  const i = CREATE_ORDER.indexOf(key);
  return i < 0 ? CREATE_ORDER.length : i;
}

/** The objects in an order the store accepts: a namespace before anything in it. Stable within a type. */
export function inCreateOrder(objects: readonly KubeObjectInput[]): KubeObjectInput[] {
  return objects
    .map((o, i) => ({ o, i, r: rank(resourceKeyOf(o)) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.o);
}

function create(store: ClusterStore, o: KubeObjectInput): KubeObject {
  const r = store.create(resourceKeyOf(o), o);
  if (!r.ok) throw new Error(`estate: cannot create ${refOf(o)}: ${r.error.message}`);
  return r.value;
}

/** Whether the deployment controller has made the ReplicaSet of `revision` for this Deployment. */
export function hasReplicaSetOfRevision(store: Pick<ClusterStore, "list">, deployment: KubeObject, revision: string): boolean {
  return store
    .list("apps/replicasets", { namespace: deployment.metadata.namespace })
    .items.some(
      (rs) =>
        rs.metadata.ownerReferences?.some((r) => r.uid === deployment.metadata.uid && r.controller === true) === true &&
        rs.metadata.annotations?.[REVISION] === revision,
    );
}

/**
 * Waits by polling the store until the Deployment's revision-1 ReplicaSet exists, and fails with
 * a message naming the Deployment after `timeoutMs`: the deployment controller is not running,
 * or does not annotate its ReplicaSets with their revision.
 */
export function pollForFirstReplicaSet(
  store: Pick<ClusterStore, "list">,
  { timeoutMs = 15_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): WaitForRevision {
  return async (deployment) => {
    const deadline = Date.now() + timeoutMs;
    while (!hasReplicaSetOfRevision(store, deployment, "1")) {
      if (Date.now() >= deadline) {
        throw new Error(
          `estate: deployment ${deployment.metadata.namespace ?? ""}/${deployment.metadata.name} has no ReplicaSet annotated ` +
            `${REVISION}=1 after ${timeoutMs} ms; is the deployment controller running on this cluster's store?`,
        );
      }
      await sleep(intervalMs);
    }
  };
}

/** Puts the current revision's template, replicas and change-cause on a Deployment created at revision 1. */
function promote(store: ClusterStore, current: KubeObjectInput): void {
  const r = store.mutate("apps/deployments", current.metadata.namespace, current.metadata.name ?? "", (d) => {
    d.metadata.labels = { ...(current.metadata.labels ?? {}) };
    // Keep what the controller wrote (the revision annotation); the change-cause is the new one.
    d.metadata.annotations = { ...(d.metadata.annotations ?? {}), ...(current.metadata.annotations ?? {}) };
    d.spec = recordField(current.spec, `${refOf(current)} spec`);
  });
  if (!r.ok) throw new Error(`estate: cannot roll ${refOf(current)} out to its current revision: ${r.error.message}`);
}

/**
 * Creates an estate in an empty store (or one `resetCluster` has emptied), in dependency order.
 * With `history` (the default) each Deployment is first created at revision 1, then, once its
 * ReplicaSet exists, moved to the current revision; this needs the controllers running.
 * Throws when an object cannot be created or the wait fails: the estate is the sandbox's own
 * fixed data, so either is a bug or a controller that is not running.
 */
export async function applyEstate(store: ClusterStore, estate: Estate, opts: ApplyEstateOptions = {}): Promise<void> {
  const earlier = new Map(((opts.history ?? true) ? estate.history : []).map((o) => [nameKey(o), o]));
  const firstOf = (o: KubeObjectInput) => (o.kind === "Deployment" ? earlier.get(nameKey(o)) : undefined);

  const ordered = inCreateOrder(estate.objects);
  for (const o of ordered) if (!firstOf(o)) create(store, o);

  const rolled = ordered.flatMap((current) => {
    const first = firstOf(current);
    return first ? [{ current, first }] : [];
  });
  if (rolled.length === 0) return;
  const wait = opts.waitForRevision ?? pollForFirstReplicaSet(store);
  const created = rolled.map(({ first }) => create(store, first));
  await Promise.all(created.map((d) => wait(d)));
  for (const { current } of rolled) promote(store, current);
}
