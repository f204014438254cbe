import { keyOf, splitKey, watchResource, type ControllerContext, type Stoppable } from "./controller-context.js";
import { controllerOf, controllerRef, typed, type DaemonSet, type Node, type Pod, type Toleration } from "./kube-shapes.js";
import { TAINT } from "./node-conditions.js";
import { createPod, nameSuffix, podFromTemplate } from "./pod-creation.js";
import { isPodActive, isPodAvailable, isPodReady } from "./pod-state.js";
import { matchesNodeAffinity, nodeInfos, toleratesAll } from "./scheduling.js";
import { templateHash } from "./template-hash.js";
import { WorkQueue } from "./work-queue.js";

const DAEMONSETS = "apps/daemonsets";
const SOURCE = { component: "daemonset-controller" };

/** The tolerations the DaemonSet controller adds to its pods, so that they run on ailing and cordoned nodes. */
export const DAEMON_TOLERATIONS: Toleration[] = [
  { key: TAINT.notReady, operator: "Exists", effect: "NoExecute" },
  { key: TAINT.unreachable, operator: "Exists", effect: "NoExecute" },
  { key: TAINT.diskPressure, operator: "Exists", effect: "NoSchedule" },
  { key: TAINT.memoryPressure, operator: "Exists", effect: "NoSchedule" },
  { key: TAINT.pidPressure, operator: "Exists", effect: "NoSchedule" },
  { key: TAINT.unschedulable, operator: "Exists", effect: "NoSchedule" },
];

function withDaemonTolerations(own: Toleration[] | undefined): Toleration[] {
  const list = [...(own ?? [])];
  for (const t of DAEMON_TOLERATIONS) if (!list.some((x) => x.key === t.key && x.effect === t.effect)) list.push(t);
  return list;
}

/**
 * The DaemonSet controller: one pod per node that the pod's selector and tolerations admit
 * (cordoned and ailing nodes included, as the real controller's added tolerations allow), placed
 * by name; pods on nodes that no longer qualify are deleted; a template change replaces pods one
 * node at a time (RollingUpdate, maxUnavailable 1).
 */
export function startDaemonSetController(ctx: ControllerContext): Stoppable {
  const { store, recorder } = ctx;
  const queue = new WorkQueue("daemonset", reconcile, ctx.log);
  const enqueueAll = () => {
    for (const ds of store.list(DAEMONSETS).items) queue.add(keyOf(ds));
  };
  const unwatch = [
    watchResource(ctx, DAEMONSETS, (e) => queue.add(keyOf(e.object))),
    watchResource(ctx, "pods", (e) => {
      const owner = controllerOf(e.object);
      if (owner?.kind === "DaemonSet") queue.add(`${e.object.metadata.namespace}/${owner.name}`);
    }),
    watchResource(ctx, "nodes", (e) => {
      if (e.type !== "MODIFIED") enqueueAll();
    }),
  ];

  function reconcile(key: string): void {
    const [namespace, name] = splitKey(key);
    const found = store.get(DAEMONSETS, namespace, name);
    if (!found || found.metadata.deletionTimestamp) return;
    const ds = typed<DaemonSet>(found);
    const spec = ds.spec ?? {};
    const hash = templateHash(spec.template);
    const probe = typed<Pod>({ apiVersion: "v1", kind: "Pod", metadata: found.metadata, spec: { ...(spec.template?.spec ?? {}) } });
    const tolerations = withDaemonTolerations(spec.template?.spec?.tolerations);
    const nodes = store.list("nodes").items.map((o) => typed<Node>(o));
    const eligible = new Set(
      nodeInfos(nodes, [])
        .filter((info) => matchesNodeAffinity(probe, info))
        .filter((info) => info.taints.every((t) => t.effect === "PreferNoSchedule" || toleratesAll(tolerations, t)))
        .map((info) => info.name),
    );
    const owned = store
      .list("pods", { namespace })
      .items.map((o) => typed<Pod>(o))
      .filter((p) => controllerOf(p)?.uid === ds.metadata.uid && isPodActive(p));
    const byNode = new Map<string, Pod[]>();
    for (const p of owned) {
      const node = p.spec?.nodeName ?? "";
      byNode.set(node, [...(byNode.get(node) ?? []), p]);
    }

    for (const node of eligible) {
      const here = byNode.get(node) ?? [];
      if (here.length === 0) createOn(node);
      for (const extra of here.slice(1)) remove(extra);
    }
    for (const [node, here] of byNode) if (!eligible.has(node)) for (const p of here) remove(p);

    // One outdated pod at a time, and only while every node's pod is ready.
    const current = owned.filter((p) => eligible.has(p.spec?.nodeName ?? "") && !p.metadata.deletionTimestamp);
    const unavailable = eligible.size - current.filter(isPodReady).length;
    const outdated = current.find((p) => p.metadata.labels?.["controller-revision-hash"] !== hash);
    if (outdated && unavailable === 0) remove(outdated);

    const now = ctx.now().getTime();
    const ready = current.filter(isPodReady);
    const available = ready.filter((p) => isPodAvailable(p, spec.minReadySeconds ?? 0, now)).length;
    const status = {
      currentNumberScheduled: [...eligible].filter((n) => byNode.has(n)).length,
      desiredNumberScheduled: eligible.size,
      numberMisscheduled: [...byNode.keys()].filter((n) => !eligible.has(n)).length,
      numberReady: ready.length,
      numberAvailable: available,
      numberUnavailable: Math.max(0, eligible.size - available),
      updatedNumberScheduled: current.filter((p) => p.metadata.labels?.["controller-revision-hash"] === hash).length,
      observedGeneration: ds.metadata.generation ?? 1,
    };
    store.mutate(DAEMONSETS, namespace, name, (o) => void (o.status = status), { subresource: "status" });

    function createOn(node: string): void {
      const podName = `${name}-${nameSuffix(ctx.random)}`;
      const input = podFromTemplate(spec.template, controllerRef(ds), namespace, { name: podName, generateName: `${name}-` }, {
        "controller-revision-hash": hash,
        "pod-template-generation": String(ds.metadata.generation ?? 1),
      });
      const podSpec = (input.spec ?? {}) as NonNullable<Pod["spec"]>;
      podSpec.nodeName = node;
      podSpec.tolerations = withDaemonTolerations(podSpec.tolerations);
      const created = createPod(store, input);
      if (created.ok) recorder.record(ds, SOURCE, "Normal", "SuccessfulCreate", `Created pod: ${podName}`);
      else recorder.record(ds, SOURCE, "Warning", "FailedCreate", `Error creating: ${created.error}`);
    }

    function remove(p: Pod): void {
      if (p.metadata.deletionTimestamp) return;
      const deleted = store.delete("pods", namespace, p.metadata.name);
      if (deleted.ok) recorder.record(ds, SOURCE, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`);
    }
  }

  return {
    stop() {
      for (const u of unwatch) u();
      queue.stop();
    },
  };
}
