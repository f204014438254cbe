import type { SimCluster } from "../cluster.js";
import { every, type ControllerContext, type Stoppable } from "./controller-context.js";
import { createDefaultBehaviour, type ContainerBehaviour } from "./container-behaviour.js";
import { startDaemonSetController } from "./daemonset-controller.js";
import { startDeploymentController } from "./deployment-controller.js";
import { startEndpointsController } from "./endpoints-controller.js";
import { EventRecorder } from "./event-recorder.js";
import { startKubeletNodeStatus } from "./kubelet-node-status.js";
import { startKubelet, type Kubelet } from "./kubelet.js";
import { NodeHealthBoard } from "./node-health.js";
import { startNodeIpam } from "./node-ipam.js";
import { startNodeLifecycleController } from "./node-lifecycle-controller.js";
import { startQuotaController } from "./quota-controller.js";
import { startReplicaSetController } from "./replicaset-controller.js";
import { startScheduler } from "./scheduler.js";
import { startStatefulSetController } from "./statefulset-controller.js";
import { startTaintEviction } from "./taint-eviction.js";
import { startVolumeBinder } from "./volume-binder.js";
import type { ControllerLog } from "./work-queue.js";

export type StartControllersOptions = {
  cluster: SimCluster;
  log: ControllerLog;
  /** Wall-clock time for timestamps (default `new Date()`); waits are compressed by sim-time.ts either way. */
  clock?: () => Date;
  /** [0, 1) for generated names, addresses, pull times and tie-breaks (default Math.random). */
  random?: () => number;
  /** What containers do (default: healthy containers); the fault injection's hook. */
  behaviour?: ContainerBehaviour;
  /** The nodes' kubelet health, to share with whoever injects node faults (default: a new, healthy board). */
  nodeHealth?: NodeHealthBoard;
};

export type RunningControllers = {
  /** Stops every watch and timer; the store keeps its objects. */
  stop(): void;
  /** Node faults: set a node's kubelet NotReady or Unreachable, or under memory/disk/PID pressure. */
  nodeHealth: NodeHealthBoard;
  /** Kubelet-side eviction of a pod (node pressure). */
  kubelet: Pick<Kubelet, "evict">;
  /** The recorder the controllers write Events with, for other parts that emit Events (OOMKilling…). */
  events: EventRecorder;
};

/** Event TTL sweeps: the TTL is an hour of wall-clock time, so a sweep a minute is plenty. */
const EVENT_SWEEP_MS = 60_000;

/**
 * Starts everything that makes one simulated cluster behave: the kube-controller-manager's
 * controllers (deployment, replicaset, statefulset, daemonset, endpoints, resource quota, node
 * lifecycle, node IPAM, taint eviction, volume binding), the scheduler and every node's kubelet.
 * They work from the store's watches and a few timers at compressed periods; `stop()` ends them all.
 */
export function startControllers(opts: StartControllersOptions): RunningControllers {
  const now = opts.clock ?? (() => new Date());
  const random = opts.random ?? Math.random;
  const recorder = new EventRecorder({ store: opts.cluster.store, now, log: opts.log });
  const ctx: ControllerContext = { cluster: opts.cluster.name, store: opts.cluster.store, recorder, now, random, log: opts.log };
  const nodeHealth = opts.nodeHealth ?? new NodeHealthBoard();
  const behaviour = opts.behaviour ?? createDefaultBehaviour({ random });

  const running: Stoppable[] = [];
  try {
    running.push(startNodeIpam(ctx));
    running.push(startKubeletNodeStatus({ ...ctx, health: nodeHealth }));
    running.push(startNodeLifecycleController(ctx));
    running.push(startTaintEviction(ctx));
    running.push(startScheduler(ctx));
    const kubelet = startKubelet({ ...ctx, logs: opts.cluster.logs, behaviour, health: nodeHealth });
    running.push(kubelet);
    running.push(startReplicaSetController(ctx));
    running.push(startDeploymentController(ctx));
    running.push(startStatefulSetController(ctx));
    running.push(startDaemonSetController(ctx));
    running.push(startEndpointsController(ctx));
    running.push(startQuotaController(ctx));
    running.push(startVolumeBinder(ctx));
    running.push({ stop: every(EVENT_SWEEP_MS, () => recorder.expire(), opts.log, "event-ttl") });
    return {
      stop() {
        for (const r of running.reverse()) r.stop();
        running.length = 0;
      },
      nodeHealth,
      kubelet: { evict: (namespace, name, message) => kubelet.evict(namespace, name, message) },
      events: recorder,
    };
  } catch (e) {
    for (const r of running) r.stop();
    throw e;
  }
}
