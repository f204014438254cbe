import { keyOf, splitKey, watchResource, type ControllerContext, type Stoppable } from "./controller-context.js";
import { revisionTemplate, syncControllerRevision } from "./controller-revisions.js";
import { controllerOf, controllerRef, typed, type Pod, type PodTemplate, type StatefulSet } from "./kube-shapes.js";
import { createPod, podFromTemplate } from "./pod-creation.js";
import { isPodAvailable, isPodReady } from "./pod-state.js";
import { WorkQueue } from "./work-queue.js";

const STATEFULSETS = "apps/statefulsets";
const SOURCE = { component: "statefulset-controller" };
export const REVISION_LABEL = "controller-revision-hash";

const ordinalOf = (setName: string, podName: string): number | undefined => {
  const m = new RegExp(`^${setName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d+)$`).exec(podName);
  return m ? Number(m[1]) : undefined;
};

const runningAndReady = (p: Pod) => p.status?.phase === "Running" && isPodReady(p);

/**
 * The StatefulSet controller: pods `<name>-0 … <name>-(N-1)` created in order, each waiting for
 * the one before to be Running and Ready (OrderedReady; Parallel does not wait), each with its
 * PersistentVolumeClaims from volumeClaimTemplates (`<claim>-<name>-<ordinal>`, kept when the pod
 * goes); scale-down from the highest ordinal; rolling update from the highest ordinal down to
 * the partition, one pod at a time; revisions kept as ControllerRevisions.
 */
export function startStatefulSetController(ctx: ControllerContext): Stoppable {
  const { store, recorder } = ctx;
  const queue = new WorkQueue("statefulset", reconcile, ctx.log);
  const unwatch = [
    watchResource(ctx, STATEFULSETS, (e) => queue.add(keyOf(e.object))),
    watchResource(ctx, "pods", (e) => {
      const owner = controllerOf(e.object);
      if (owner?.kind === "StatefulSet") queue.add(`${e.object.metadata.namespace}/${owner.name}`);
    }),
  ];

  function reconcile(key: string): void {
    const [namespace, name] = splitKey(key);
    const found = store.get(STATEFULSETS, namespace, name);
    if (!found || found.metadata.deletionTimestamp) return;
    const set = typed<StatefulSet>(found);
    const spec = set.spec ?? {};
    const replicas = spec.replicas ?? 1;
    const parallel = spec.podManagementPolicy === "Parallel";
    const pods = new Map<number, Pod>();
    for (const o of store.list("pods", { namespace }).items) {
      const pod = typed<Pod>(o);
      const ordinal = ordinalOf(name, pod.metadata.name);
      if (ordinal !== undefined && controllerOf(pod)?.uid === set.metadata.uid) pods.set(ordinal, pod);
    }
    // A StatefulSet's pods carry the full ControllerRevision name (`web-5d4f8b7c9`) in this label.
    const revisionOf = (p: Pod) => p.metadata.labels?.[REVISION_LABEL] ?? "";
    const inUse = new Set([...pods.values()].map(revisionOf));
    const status = (set.status ?? {}) as { currentRevision?: string; updateRevision?: string };
    const update = syncControllerRevision(store, set, spec.template, {
      labels: { ...(spec.selector?.matchLabels ?? {}) },
      historyLimit: spec.revisionHistoryLimit ?? 10,
      inUse: new Set([...inUse, ...(status.currentRevision ? [status.currentRevision] : [])]),
    });
    const updateRevision = update.name;
    const currentRevision = status.currentRevision ?? updateRevision;
    const partition = spec.updateStrategy?.type === "OnDelete" ? replicas : (spec.updateStrategy?.rollingUpdate?.partition ?? 0);

    act();
    writeStatus();

    /** One step of the ordered work; returns having done (or waited for) the first thing that needs doing. */
    function act(): void {
      for (let ordinal = 0; ordinal < replicas; ordinal++) {
        const pod = pods.get(ordinal);
        if (!pod) {
          const revision = ordinal < partition ? currentRevision : updateRevision;
          const created = createOrdinal(ordinal, revision);
          if (!created || !parallel) return;
          continue;
        }
        if (pod.metadata.deletionTimestamp) {
          if (!parallel) return;
          continue;
        }
        if (pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded") {
          deletePod(pod);
          if (!parallel) return;
          continue;
        }
        if (!parallel && !runningAndReady(pod)) return;
      }
      const condemned = [...pods.entries()].filter(([i]) => i >= replicas).sort(([a], [b]) => b - a);
      for (const [, pod] of condemned) {
        if (pod.metadata.deletionTimestamp) {
          if (!parallel) return;
          continue;
        }
        deletePod(pod);
        if (!parallel) return;
      }
      if (spec.updateStrategy?.type === "OnDelete") return;
      // Rolling update: highest ordinal first, only while every pod is Running and Ready.
      for (let ordinal = replicas - 1; ordinal >= partition; ordinal--) {
        const pod = pods.get(ordinal);
        if (!pod || pod.metadata.deletionTimestamp || !runningAndReady(pod)) return;
        if (revisionOf(pod) !== updateRevision) {
          deletePod(pod);
          return;
        }
      }
    }

    function createOrdinal(ordinal: number, revision: string): boolean {
      const podName = `${name}-${ordinal}`;
      for (const claim of spec.volumeClaimTemplates ?? []) {
        const claimName = `${claim.metadata?.name ?? "data"}-${podName}`;
        if (store.get("persistentvolumeclaims", namespace, claimName)) continue;
        const made = store.create("persistentvolumeclaims", {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: {
            name: claimName,
            namespace,
            labels: { ...(claim.metadata?.labels ?? {}), ...(spec.selector?.matchLabels ?? {}) },
            ...(claim.metadata?.annotations ? { annotations: { ...claim.metadata.annotations } } : {}),
          },
          spec: { ...structuredClone(claim.spec ?? {}) },
          status: { phase: "Pending" },
        });
        if (made.ok) {
          recorder.record(set, SOURCE, "Normal", "SuccessfulCreate", `create Claim ${claimName} Pod ${podName} in StatefulSet ${name} success`);
        } else {
          recorder.record(set, SOURCE, "Warning", "FailedCreate", `create Claim ${claimName} for Pod ${podName} in StatefulSet ${name} failed error: ${made.error.message}`);
          return false;
        }
      }
      const template: PodTemplate = revision === updateRevision ? (spec.template ?? {}) : (revisionTemplate(store, namespace, revision) ?? spec.template ?? {});
      const input = podFromTemplate(template, controllerRef(set), namespace, { name: podName }, {
        [REVISION_LABEL]: revision,
        "statefulset.kubernetes.io/pod-name": podName,
        "apps.kubernetes.io/pod-index": String(ordinal),
      });
      const podSpec = (input.spec ?? {}) as NonNullable<Pod["spec"]>;
      podSpec.hostname = podName;
      if (spec.serviceName) podSpec.subdomain = spec.serviceName;
      const claims = (spec.volumeClaimTemplates ?? []).map((c) => c.metadata?.name ?? "data");
      podSpec.volumes = [
        ...(podSpec.volumes ?? []).filter((v) => !claims.includes(v.name)),
        ...claims.map((claim) => ({ name: claim, persistentVolumeClaim: { claimName: `${claim}-${podName}` } })),
      ];
      const created = createPod(store, input);
      if (!created.ok) {
        recorder.record(set, SOURCE, "Warning", "FailedCreate", `create Pod ${podName} in StatefulSet ${name} failed error: ${created.error}`);
        return false;
      }
      pods.set(ordinal, created.value);
      recorder.record(set, SOURCE, "Normal", "SuccessfulCreate", `create Pod ${podName} in StatefulSet ${name} successful`);
      return true;
    }

    function deletePod(pod: Pod): void {
      const deleted = store.delete("pods", namespace, pod.metadata.name);
      if (deleted.ok) {
        pods.set(ordinalOf(name, pod.metadata.name) ?? -1, typed<Pod>(deleted.value));
        recorder.record(set, SOURCE, "Normal", "SuccessfulDelete", `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`);
      }
    }

    function writeStatus(): void {
      const live = [...pods.values()].filter((p) => store.get("pods", namespace, p.metadata.name)?.metadata.uid === p.metadata.uid);
      const now = ctx.now().getTime();
      const ready = live.filter((p) => !p.metadata.deletionTimestamp && isPodReady(p));
      const updated = live.filter((p) => revisionOf(p) === updateRevision).length;
      const rolledOut = updated === replicas && live.length === replicas && ready.length === replicas;
      const next = {
        observedGeneration: set.metadata.generation ?? 1,
        replicas: live.length,
        readyReplicas: ready.length,
        currentReplicas: rolledOut ? updated : live.filter((p) => revisionOf(p) === currentRevision).length,
        updatedReplicas: updated,
        availableReplicas: ready.filter((p) => isPodAvailable(p, spec.minReadySeconds ?? 0, now)).length,
        currentRevision: rolledOut ? updateRevision : currentRevision,
        updateRevision,
        collisionCount: 0,
      };
      store.mutate(STATEFULSETS, namespace, name, (o) => void (o.status = { ...((o.status as object | undefined) ?? {}), ...next }), { subresource: "status" });
    }
  }

  return {
    stop() {
      for (const u of unwatch) u();
      queue.stop();
    },
  };
}
