import { simMs } from "../sim-time.js";
import { every, type ControllerContext, type Stoppable } from "./controller-context.js";
import { typed, type Node, type Pod, type PodStatus, type Taint, type Toleration } from "./kube-shapes.js";
import { TAINT } from "./node-conditions.js";
import { isPodActive } from "./pod-state.js";
import { tolerates } from "./scheduling.js";

const CHECK_MS = simMs(5);
const SOURCE = { component: "taint-eviction-controller" };
/** What the DefaultTolerationSeconds admission gives every pod for a not-ready or unreachable node. */
const DEFAULT_TOLERATION_SECONDS = 300;

/**
 * When a pod must leave a node with NoExecute taints (epoch ms), or undefined if it may stay:
 * at once for an untolerated taint, after tolerationSeconds (compressed, from the taint's
 * timeAdded) for a tolerated one, never for one tolerated without a limit.
 */
export function evictionDue(taints: Taint[], tolerations: Toleration[] | undefined, nowMs: number): number | undefined {
  let due: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== "NoExecute") continue;
    const added = Date.parse(taint.timeAdded ?? "");
    const since = Number.isFinite(added) ? added : nowMs;
    let matching = (tolerations ?? []).filter((t) => tolerates(t, taint));
    if (matching.length === 0 && (taint.key === TAINT.notReady || taint.key === TAINT.unreachable)) {
      matching = [{ key: taint.key, operator: "Exists", effect: "NoExecute", tolerationSeconds: DEFAULT_TOLERATION_SECONDS }];
    }
    if (matching.length === 0) return nowMs;
    const limits = matching.map((t) => t.tolerationSeconds);
    if (limits.some((s) => s === undefined)) continue;
    const seconds = Math.max(0, Math.min(...(limits as number[])));
    const at = since + simMs(seconds);
    due = due === undefined ? at : Math.min(due, at);
  }
  return due;
}

/**
 * The taint-eviction controller: deletes the pods of a node with NoExecute taints once their
 * tolerations run out (TaintManagerEviction). A pod left on an unreachable node is marked
 * NodeLost first, so that kubectl shows it Unknown while it waits for its kubelet.
 */
export function startTaintEviction(ctx: ControllerContext): Stoppable {
  const { store, recorder } = ctx;
  const stop = every(CHECK_MS, check, ctx.log, "taint-eviction");

  function check(): void {
    const nowMs = ctx.now().getTime();
    const tainted = store
      .list("nodes")
      .items.map((o) => typed<Node>(o))
      .filter((n) => n.spec?.taints?.some((t) => t.effect === "NoExecute"));
    if (tainted.length === 0) return;
    const byNode = new Map(tainted.map((n) => [n.metadata.name, n]));
    for (const o of store.list("pods").items) {
      const pod = typed<Pod>(o);
      const node = pod.spec?.nodeName ? byNode.get(pod.spec.nodeName) : undefined;
      if (!node || !isPodActive(pod)) continue;
      const taints = node.spec?.taints ?? [];
      const due = evictionDue(taints, pod.spec?.tolerations, nowMs);
      if (due === undefined || due > nowMs) continue;
      const namespace = pod.metadata.namespace ?? "";
      recorder.record(pod, SOURCE, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${namespace}/${pod.metadata.name}`);
      if (taints.some((t) => t.key === TAINT.unreachable)) {
        store.mutate(
          "pods",
          namespace,
          pod.metadata.name,
          (p) => {
            const status = (p.status ?? {}) as PodStatus;
            p.status = { ...status, reason: "NodeLost", message: `Node ${node.metadata.name} which was running pod ${pod.metadata.name} is unresponsive` };
          },
          { subresource: "status" },
        );
      }
      store.delete("pods", namespace, pod.metadata.name);
    }
  }

  return { stop };
}
