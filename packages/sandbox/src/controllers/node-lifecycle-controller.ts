import { simMs } from "../sim-time.js";
import { parseFieldSelector } from "../store/selectors.js";
import { every, watchResource, type ControllerContext, type Stoppable } from "./controller-context.js";
import { timestamp, typed, type Node, type NodeCondition, type Pod, type PodStatus } from "./kube-shapes.js";
import { desiredTaints, unknownConditions } from "./node-conditions.js";
import { isPodActive, isPodReady, setCondition } from "./pod-state.js";

/** nodeMonitorPeriod: how often the node controller looks (5 s of cluster time). */
export const NODE_MONITOR_PERIOD_MS = simMs(5);
/** nodeMonitorGracePeriod: how long a silent kubelet is given before its node goes Unknown (40 s). */
export const NODE_MONITOR_GRACE_MS = simMs(40);

const SOURCE = { component: "node-controller" };

type Seen = { probeAt: number; nodeBeat: string; leaseBeat: string; ready?: string };

/**
 * The node lifecycle controller: watches each node's heartbeats (its Lease and its Ready
 * condition), marks a node whose kubelet has been silent past the grace period Unknown
 * ("Kubelet stopped posting node status."), keeps the condition and cordon taints in step
 * (not-ready, unreachable, unschedulable, pressure), and when a node stops being Ready, records
 * NodeNotReady and marks its pods not Ready.
 */
export function startNodeLifecycleController(ctx: ControllerContext): Stoppable {
  const { store, recorder } = ctx;
  const seen = new Map<string, Seen>();

  const observe = (name: string, beat: { node?: string; lease?: string }) => {
    const s = seen.get(name) ?? { probeAt: ctx.now().getTime(), nodeBeat: "", leaseBeat: "" };
    const changed = (beat.node !== undefined && beat.node !== s.nodeBeat) || (beat.lease !== undefined && beat.lease !== s.leaseBeat);
    // The controller trusts its own clock: a heartbeat counts from when it was seen to change.
    if (changed) s.probeAt = ctx.now().getTime();
    if (beat.node !== undefined) s.nodeBeat = beat.node;
    if (beat.lease !== undefined) s.leaseBeat = beat.lease;
    seen.set(name, s);
  };

  const unwatch = [
    watchResource(ctx, "nodes", (e) => {
      const name = e.object.metadata.name;
      if (e.type === "DELETED") return void seen.delete(name);
      if (!seen.has(name)) {
        recorder.record(e.object, SOURCE, "Normal", "RegisteredNode", `Node ${name} event: Registered Node ${name} in Controller`);
      }
      const ready = typed<Node>(e.object).status?.conditions?.find((c) => c.type === "Ready");
      observe(name, { node: ready?.status === "Unknown" ? undefined : (ready?.lastHeartbeatTime ?? "") });
    }),
    watchResource(ctx, "coordination.k8s.io/leases", (e) => {
      if (e.type === "DELETED" || e.object.metadata.namespace !== "kube-node-lease") return;
      const renew = (e.object.spec as { renewTime?: string } | undefined)?.renewTime;
      if (renew && seen.has(e.object.metadata.name)) observe(e.object.metadata.name, { lease: renew });
    }),
  ];
  const stopMonitor = every(NODE_MONITOR_PERIOD_MS, monitor, ctx.log, "node-lifecycle");

  function monitor(): void {
    const now = ctx.now();
    const nowText = timestamp(now);
    for (const o of store.list("nodes").items) {
      const node = typed<Node>(o);
      const name = node.metadata.name;
      const s = seen.get(name);
      if (!s) continue;
      let conditions = node.status?.conditions;
      const ready = conditions?.find((c) => c.type === "Ready");
      if (now.getTime() - s.probeAt > NODE_MONITOR_GRACE_MS && ready?.status !== "Unknown") {
        const unknown = unknownConditions(conditions, nowText);
        const written = store.mutate(
          "nodes",
          undefined,
          name,
          (n) => {
            const status = (n.status ?? {}) as { conditions?: NodeCondition[] };
            const types = new Set(unknown.map((c) => c.type));
            n.status = { ...status, conditions: [...(status.conditions ?? []).filter((c) => !types.has(c.type)), ...unknown] };
          },
          { subresource: "status" },
        );
        if (written.ok) conditions = typed<Node>(written.value).status?.conditions;
      }
      const taints = desiredTaints(node.spec?.taints, conditions, node.spec?.unschedulable === true, nowText);
      if (JSON.stringify(taints) !== JSON.stringify(node.spec?.taints ?? [])) {
        store.mutate("nodes", undefined, name, (n) => {
          n.spec = { ...(n.spec ?? {}), taints };
          if (taints.length === 0) delete (n.spec as { taints?: unknown }).taints;
        });
      }
      const readyNow = conditions?.find((c) => c.type === "Ready")?.status;
      if (s.ready === "True" && readyNow !== undefined && readyNow !== "True") {
        recorder.record(node, SOURCE, "Normal", "NodeNotReady", `Node ${name} status is now: NodeNotReady`);
      }
      if (readyNow !== undefined && readyNow !== "True") markPodsNotReady(name, nowText);
      s.ready = readyNow;
    }
  }

  function markPodsNotReady(nodeName: string, now: string): void {
    const onNode = parseFieldSelector(`spec.nodeName=${nodeName}`);
    if (!onNode.ok) return;
    for (const o of store.list("pods", { fieldSelector: onNode.value }).items) {
      const pod = typed<Pod>(o);
      if (!isPodActive(pod) || !isPodReady(pod)) continue;
      const written = store.mutate(
        "pods",
        pod.metadata.namespace,
        pod.metadata.name,
        (p) => {
          const status = (p.status ?? {}) as PodStatus;
          status.conditions = setCondition(status.conditions, { type: "Ready", status: "False", lastProbeTime: null }, now);
          p.status = status;
        },
        { subresource: "status" },
      );
      if (written.ok) recorder.record(typed<Pod>(written.value), SOURCE, "Warning", "NodeNotReady", "Node is not ready");
    }
  }

  return {
    stop() {
      for (const u of unwatch) u();
      stopMonitor();
    },
  };
}
