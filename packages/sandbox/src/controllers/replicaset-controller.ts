import { simMs } from "../sim-time.js";
import { labelSelectorFromSpec } from "../store/selectors.js";
import { keyOf, splitKey, watchResource, type ControllerContext, type Stoppable } from "./controller-context.js";
import { controllerOf, controllerRef, timestamp, typed, type Pod, type ReplicaSet, type ReplicaSetStatus } from "./kube-shapes.js";
import { createPod, nameSuffix, podFromTemplate } from "./pod-creation.js";
import { podsToDelete } from "./pod-ranking.js";
import { availableAt, isPodActive, isPodReady, setCondition } from "./pod-state.js";
import { WorkQueue } from "./work-queue.js";

const REPLICASETS = "apps/replicasets";
const SOURCE = { component: "replicaset-controller" };
/** How soon a ReplicaSet that could not create pods tries again (a real one backs off similarly). */
const RETRY_AFTER_FAILURE_MS = simMs(30);

/**
 * The ReplicaSet controller: creates pods from the template (after the quota check the API
 * server would make) or deletes the least valuable ones until the active pods match
 * spec.replicas, and reports replicas, readiness and availability.
 */
export function startReplicaSetController(ctx: ControllerContext): Stoppable {
  const { store, recorder } = ctx;
  const queue = new WorkQueue("replicaset", reconcile, ctx.log);
  const unwatch = [
    watchResource(ctx, REPLICASETS, (e) => queue.add(keyOf(e.object))),
    watchResource(ctx, "pods", (e) => {
      const owner = controllerOf(e.object);
      if (owner?.kind === "ReplicaSet") queue.add(`${e.object.metadata.namespace}/${owner.name}`);
    }),
    // A raised quota lets a ReplicaSet that failed to create pods try again now.
    watchResource(ctx, "resourcequotas", (e) => {
      for (const rs of store.list(REPLICASETS, { namespace: e.object.metadata.namespace }).items) {
        const status = rs.status as ReplicaSetStatus | undefined;
        if ((status?.replicas ?? 0) < ((rs.spec?.replicas as number | undefined) ?? 1)) queue.add(keyOf(rs));
      }
    }),
  ];

  function reconcile(key: string): void {
    const [namespace, name] = splitKey(key);
    const found = store.get(REPLICASETS, namespace, name);
    if (!found || found.metadata.deletionTimestamp) return;
    const rs = typed<ReplicaSet>(found);
    const spec = rs.spec ?? {};
    const want = spec.replicas ?? 1;
    const selector = labelSelectorFromSpec(spec.selector);
    const owned = store
      .list("pods", { namespace, labelSelector: selector })
      .items.map((p) => typed<Pod>(p))
      .filter((p) => controllerOf(p)?.uid === rs.metadata.uid);
    let active = owned.filter(isPodActive);

    let failure: string | undefined;
    if (active.length < want) {
      for (let i = active.length; i < want; i++) {
        let podName = `${name}-${nameSuffix(ctx.random)}`;
        while (store.get("pods", namespace, podName)) podName = `${name}-${nameSuffix(ctx.random)}`;
        const created = createPod(store, podFromTemplate(spec.template, controllerRef(rs), namespace, { name: podName, generateName: `${name}-` }));
        if (!created.ok) {
          failure = created.error;
          recorder.record(rs, SOURCE, "Warning", "FailedCreate", `Error creating: ${created.error}`);
          queue.addAfter(key, RETRY_AFTER_FAILURE_MS);
          break;
        }
        recorder.record(rs, SOURCE, "Normal", "SuccessfulCreate", `Created pod: ${created.value.metadata.name}`);
        active.push(created.value);
      }
    } else if (active.length > want) {
      const victims = podsToDelete(active, active.length - want);
      for (const p of victims) {
        const deleted = store.delete("pods", namespace, p.metadata.name);
        if (deleted.ok) recorder.record(rs, SOURCE, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`);
      }
      const gone = new Set(victims.map((p) => p.metadata.uid));
      active = active.filter((p) => !gone.has(p.metadata.uid));
    }

    const now = ctx.now();
    const minReady = spec.minReadySeconds ?? 0;
    let available = 0;
    let nextAvailable = Infinity;
    for (const p of active) {
      const at = availableAt(p, minReady);
      if (at === undefined) continue;
      if (at <= now.getTime()) available++;
      else nextAvailable = Math.min(nextAvailable, at);
    }
    if (nextAvailable !== Infinity) queue.addAfter(key, nextAvailable - now.getTime() + 1);
    const templateLabels = Object.entries(spec.template?.metadata?.labels ?? {});
    let conditions = rs.status?.conditions?.filter((c) => c.type !== "ReplicaFailure" || failure !== undefined);
    if (failure !== undefined) {
      const prior = rs.status?.conditions?.find((c) => c.type === "ReplicaFailure");
      // The condition keeps the first failure's message while failures go on, as the real controller's does.
      if (!prior) conditions = setCondition(conditions, { type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: failure }, timestamp(now));
    }
    const status: ReplicaSetStatus = {
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => templateLabels.every(([k, v]) => p.metadata.labels?.[k] === v)).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: available,
      observedGeneration: rs.metadata.generation ?? 1,
      ...(conditions?.length ? { conditions } : {}),
    };
    store.mutate(REPLICASETS, namespace, name, (o) => void (o.status = status), { subresource: "status" });
  }

  return {
    stop() {
      for (const u of unwatch) u();
      queue.stop();
    },
  };
}
