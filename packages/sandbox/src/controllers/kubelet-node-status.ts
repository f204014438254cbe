import { simMs } from "../sim-time.js";
import { every, type ControllerContext, type Stoppable } from "./controller-context.js";
import { timestamp, typed, type Node, type NodeCondition, type NodeStatus } from "./kube-shapes.js";
import { conditionEventReason, kubeletConditions } from "./node-conditions.js";
import type { NodeHealthBoard } from "./node-health.js";
import { registrationFields } from "./node-registration.js";

/** The kubelet renews its node Lease every 10 s of cluster time (a quarter of the 40 s lease). */
export const LEASE_RENEW_MS = simMs(10);
/**
 * With leases, a real kubelet posts an unchanged node status only every 5 minutes; here every
 * 50 s of cluster time, so heartbeats visibly move without a write per node per second.
 */
export const STATUS_REPORT_MS = simMs(50);
const LEASE_NAMESPACE = "kube-node-lease";

const microTime = (d: Date) => d.toISOString().replace(/Z$/, "000Z");

/**
 * The kubelets' side of node health: renew each live node's Lease, post its conditions (on a
 * change at once, else every STATUS_REPORT_MS) and record the kubelet's node events. A node
 * whose kubelet is Unreachable posts nothing, which the node controller notices.
 */
export function startKubeletNodeStatus(ctx: ControllerContext & { health: NodeHealthBoard }): Stoppable {
  const { store, recorder, health } = ctx;
  const reportedAt = new Map<string, number>();
  const cordoned = new Map<string, boolean>();
  const started = new Set<string>();

  let stopped = false;
  const stopTimer = every(LEASE_RENEW_MS, tick, ctx.log, "kubelet-node-status");
  // A kubelet that falls ill or recovers says so at once, not at its next renewal.
  const unsubscribe = health.onChange(() => setImmediate(tick));
  // Nodes get a fresh heartbeat (and their leases) as soon as the kubelets start.
  setImmediate(tick);

  function tick(): void {
    if (stopped) return;
    const now = ctx.now();
    const all = store.list("nodes").items.map((o) => typed<Node>(o));
    for (const node of all) {
      const name = node.metadata.name;
      const state = health.health(name);
      if (state === "Unreachable") continue;
      const source = { component: "kubelet", host: name };
      // The kubelet names its node in events by name, with the name as uid.
      const subject = { apiVersion: "v1", kind: "Node", metadata: { name, uid: name, resourceVersion: "" } };
      if (!started.has(name)) {
        started.add(name);
        recorder.record(subject, source, "Normal", "Starting", "Starting kubelet.");
      }
      const leased = renewLease(node, now);
      const existing = node.status?.conditions;
      const conditions = kubeletConditions(existing, state, (c) => health.underPressure(name, c), timestamp(now));
      const turned = conditions.filter((c) => existing?.find((e) => e.type === c.type)?.status !== c.status);
      // Without a lease the node status is the only heartbeat, so it goes out at the lease's pace.
      const period = leased ? STATUS_REPORT_MS : LEASE_RENEW_MS;
      const due = now.getTime() - (reportedAt.get(name) ?? 0) >= period;
      const registration = registrationFields(node, all.filter((n) => n !== node));
      if (turned.length || due || registration) {
        const written = store.mutate(
          "nodes",
          undefined,
          name,
          (n) => {
            const status = (n.status ?? {}) as NodeStatus;
            n.status = { ...status, ...(registration ?? {}), conditions: mergeConditions(status.conditions, conditions) };
          },
          { subresource: "status" },
        );
        if (written.ok) reportedAt.set(name, now.getTime());
        for (const c of turned) {
          const reason = conditionEventReason(c.type, c.status);
          if (reason) recorder.record(subject, source, "Normal", reason, `Node ${name} status is now: ${reason}`);
        }
      }
      const isCordoned = node.spec?.unschedulable === true;
      const was = cordoned.get(name);
      if (was !== undefined && was !== isCordoned) {
        const reason = isCordoned ? "NodeNotSchedulable" : "NodeSchedulable";
        recorder.record(subject, source, "Normal", reason, `Node ${name} status is now: ${reason}`);
      }
      cordoned.set(name, isCordoned);
    }
  }

  /** Renews (or makes) the node's Lease; false when there is no lease namespace to keep it in. */
  function renewLease(node: Node, now: Date): boolean {
    const name = node.metadata.name;
    const renewed = store.mutate("coordination.k8s.io/leases", LEASE_NAMESPACE, name, (l) => {
      l.spec = { ...(l.spec ?? {}), holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(now) };
    });
    if (renewed.ok) return true;
    if (renewed.error.code !== "not_found") return false;
    // The lease is made on the first renewal; without its namespace (a reset in progress) it waits.
    if (!store.get("namespaces", undefined, LEASE_NAMESPACE)) return false;
    const created = store.create("coordination.k8s.io/leases", {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        name,
        namespace: LEASE_NAMESPACE,
        ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: node.metadata.uid }],
      },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(now) },
    });
    return created.ok;
  }

  return {
    stop() {
      stopped = true;
      stopTimer();
      unsubscribe();
    },
  };
}

/** The kubelet's four conditions replace theirs; any other condition (NetworkUnavailable, say) stays. */
function mergeConditions(current: NodeCondition[] | undefined, ours: NodeCondition[]): NodeCondition[] {
  const types = new Set(ours.map((c) => c.type));
  return [...(current ?? []).filter((c) => !types.has(c.type)), ...ours];
}
