import { simMs } from "../sim-time.js";
import { parseFieldSelector } from "../store/selectors.js";
import { every, watchResource, type ControllerContext, type Stoppable } from "./controller-context.js";
import { timestamp, typed, type Node, type Pod, type PodStatus } from "./kube-shapes.js";
import { setCondition } from "./pod-state.js";
import { assign, nodeInfos, place } from "./scheduling.js";
import { WorkQueue } from "./work-queue.js";

const SOURCE = { component: "default-scheduler" };
/** An unschedulable pod is tried again at least this often, as the scheduler flushes its unschedulable queue. */
const RETRY_UNSCHEDULABLE_MS = simMs(60);
const UNBOUND = (() => {
  const s = parseFieldSelector("spec.nodeName=");
  if (!s.ok) throw new Error(s.error);
  return s.value;
})();

const isOurs = (p: Pod) => !p.spec?.nodeName && !p.metadata.deletionTimestamp && (p.spec?.schedulerName ?? "default-scheduler") === "default-scheduler";

/** What about a node the scheduler's decision depends on (its heartbeats do not count). */
function schedulingFacts(n: Node): string {
  return JSON.stringify([n.spec?.unschedulable ?? false, n.spec?.taints ?? [], n.metadata.labels ?? {}, n.status?.allocatable ?? n.status?.capacity ?? {}]);
}

/**
 * The default scheduler: binds each pod without a node to the best node that fits it (Scheduled
 * event, PodScheduled=True), or leaves it Pending with PodScheduled=False/Unschedulable and a
 * FailedScheduling event. Unschedulable pods are tried again when the cluster changes in a way
 * that could make room, and periodically.
 */
export function startScheduler(ctx: ControllerContext): Stoppable {
  const { store, recorder } = ctx;
  const queue = new WorkQueue("scheduler", () => schedulePending(), ctx.log);
  /** When each unschedulable pod was last tried, and at which count of cluster changes, by uid. */
  const tried = new Map<string, { at: number; changes: number }>();
  /** Counts the things that happened that could make room. */
  let changes = 0;
  const nodeFacts = new Map<string, string>();

  const clusterChanged = () => {
    changes += 1;
    queue.add("pending");
  };
  const unwatch = [
    watchResource(ctx, "pods", (e) => {
      const p = typed<Pod>(e.object);
      if (e.type === "DELETED") {
        tried.delete(p.metadata.uid);
        if (p.spec?.nodeName) clusterChanged();
      } else if (isOurs(p)) queue.add("pending");
      else if (p.spec?.nodeName && (p.metadata.deletionTimestamp || p.status?.phase === "Succeeded" || p.status?.phase === "Failed")) clusterChanged();
    }),
    watchResource(ctx, "nodes", (e) => {
      const n = typed<Node>(e.object);
      const facts = e.type === "DELETED" ? "" : schedulingFacts(n);
      if (nodeFacts.get(n.metadata.name) === facts) return;
      if (facts) nodeFacts.set(n.metadata.name, facts);
      else nodeFacts.delete(n.metadata.name);
      clusterChanged();
    }),
  ];
  const stopRetry = every(RETRY_UNSCHEDULABLE_MS, () => queue.add("pending"), ctx.log, "scheduler");

  function schedulePending(): void {
    const pending = store
      .list("pods", { fieldSelector: UNBOUND })
      .items.map((o) => typed<Pod>(o))
      .filter(isOurs)
      .filter((p) => {
        const last = tried.get(p.metadata.uid);
        return last === undefined || last.changes < changes || ctx.now().getTime() - last.at >= RETRY_UNSCHEDULABLE_MS;
      })
      .sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp));
    if (pending.length === 0) return;
    const infos = nodeInfos(
      store.list("nodes").items.map((o) => typed<Node>(o)),
      store.list("pods").items.map((o) => typed<Pod>(o)),
    );
    for (const pod of pending) {
      const namespace = pod.metadata.namespace ?? "";
      const name = pod.metadata.name;
      const now = ctx.now();
      const placement = place(pod, infos, ctx.random);
      if (placement.ok) {
        const bound = store.mutate("pods", namespace, name, (o) => {
          const spec = (o.spec ?? {}) as { nodeName?: string };
          if (spec.nodeName || o.metadata.deletionTimestamp) return false;
          o.spec = { ...spec, nodeName: placement.node };
        });
        if (!bound.ok || (bound.value.spec as { nodeName?: string } | undefined)?.nodeName !== placement.node) continue;
        tried.delete(pod.metadata.uid);
        const info = infos.find((i) => i.name === placement.node);
        if (info) assign(info, pod);
        writeScheduled(namespace, name, { type: "PodScheduled", status: "True" }, timestamp(now));
        recorder.record(typed<Pod>(bound.value), SOURCE, "Normal", "Scheduled", `Successfully assigned ${namespace}/${name} to ${placement.node}`);
      } else {
        tried.set(pod.metadata.uid, { at: now.getTime(), changes });
        const written = writeScheduled(namespace, name, { type: "PodScheduled", status: "False", reason: "Unschedulable", message: placement.message }, timestamp(now));
        recorder.record(written ?? pod, SOURCE, "Warning", "FailedScheduling", placement.message);
      }
    }
  }

  function writeScheduled(namespace: string, name: string, cond: { type: string; status: "True" | "False"; reason?: string; message?: string }, now: string): Pod | undefined {
    const written = store.mutate(
      "pods",
      namespace,
      name,
      (o) => {
        const status = (o.status ?? { phase: "Pending" }) as PodStatus;
        status.conditions = setCondition(status.conditions, { ...cond, lastProbeTime: null }, now);
        o.status = status;
      },
      { subresource: "status" },
    );
    return written.ok ? typed<Pod>(written.value) : undefined;
  }

  return {
    stop() {
      for (const u of unwatch) u();
      stopRetry();
      queue.stop();
    },
  };
}
