import type { ContainerLogs } from "../runtime/container-logs.js";
import { simMs } from "../sim-time.js";
import { every, watchResource, type ControllerContext, type Stoppable } from "./controller-context.js";
import type { ContainerBehaviour } from "./container-behaviour.js";
import { envProblem, type ConfigSource } from "./container-config.js";
import { beginStop, killNow, newContainerRun, stepContainer, type ContainerRun, type StepEnv } from "./container-lifecycle.js";
import { adoptContainerRun } from "./container-status.js";
import { timestamp, typed, type Container, type Node, type Pod } from "./kube-shapes.js";
import type { NodeHealthBoard } from "./node-health.js";
import { buildPodStatus } from "./pod-status.js";
import { qosClass } from "./quantity.js";

/** The kubelet's sync period here: 2 s of cluster time, enough to resolve probe periods and back-offs. */
export const KUBELET_TICK_MS = simMs(2);
/**
 * Under memory pressure the eviction manager evicts one pod, then waits for the node to report
 * again before the next: 20 s of cluster time between evictions.
 */
export const EVICTION_INTERVAL_MS = simMs(20);
/** The kubelet's default hard eviction threshold for memory. */
const MEMORY_THRESHOLD = "100Mi";
const CRITICAL_PRIORITY_CLASSES = new Set(["system-node-critical", "system-cluster-critical"]);
const QOS_RANK = { BestEffort: 0, Burstable: 1, Guaranteed: 2 } as const;

type PodRun = {
  uid: string;
  namespace: string;
  name: string;
  node: string;
  pod: Pod;
  admitted: boolean;
  podIP?: string;
  hostIP?: string;
  startTime?: string;
  containers: { container: Container; run: ContainerRun }[];
  stopping?: { finalizeAt: number };
  /** The status last written, as JSON, to tell our writes from others'. */
  lastWritten?: string;
  dirty: boolean;
};

export type KubeletDeps = ControllerContext & { logs: ContainerLogs; behaviour: ContainerBehaviour; health: NodeHealthBoard };

export type Kubelet = Stoppable & {
  /**
   * Evicts a running pod as the kubelet does under node pressure: its containers are killed, it
   * ends Failed with reason Evicted and the message, and stays for its controller to replace.
   */
  evict(namespace: string, name: string, message: string): boolean;
};

/**
 * The kubelets of every node of one cluster: they admit pods bound to their node (address,
 * start time), run each container through its lifecycle (container-lifecycle.ts), report pod
 * status, write logs, emit the kubelet's events, and on deletion stop the containers and remove
 * the pod after its (compressed) grace period. One loop serves all nodes; a node whose kubelet
 * is down (node-health.ts) is skipped.
 */
export function startKubelet(deps: KubeletDeps): Kubelet {
  const { store, recorder, logs, behaviour, health } = deps;
  const runs = new Map<string, PodRun>();
  const nodes = new Map<string, Node>();
  const images = new Map<string, Set<string>>();
  const usedIPs = new Map<string, Set<string>>();

  const configSource: ConfigSource = {
    configMap: (ns, name) => {
      const cm = store.get("configmaps", ns, name);
      return cm ? { ...((cm.data as Record<string, unknown> | undefined) ?? {}), ...((cm.binaryData as Record<string, unknown> | undefined) ?? {}) } : undefined;
    },
    secret: (ns, name) => {
      const s = store.get("secrets", ns, name);
      return s ? { ...((s.data as Record<string, unknown> | undefined) ?? {}), ...((s.stringData as Record<string, unknown> | undefined) ?? {}) } : undefined;
    },
  };

  const unwatch = [
    watchResource(deps, "nodes", (e) => {
      if (e.type === "DELETED") nodes.delete(e.object.metadata.name);
      else nodes.set(e.object.metadata.name, typed<Node>(e.object));
    }),
    watchResource(deps, "pods", (e) => {
      const pod = typed<Pod>(e.object);
      const uid = pod.metadata.uid;
      const run = runs.get(uid);
      if (e.type === "DELETED") {
        // Removed without us (grace period 0, or the namespace went): the containers go with it.
        if (run) release(run);
        return;
      }
      const node = pod.spec?.nodeName;
      if (!node) return;
      if (!run) {
        // A finished pod is only ours again when it is deleted: the kubelet removes it.
        const finished = pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
        if (finished && !pod.metadata.deletionTimestamp) return;
        runs.set(uid, { uid, namespace: pod.metadata.namespace ?? "", name: pod.metadata.name, node, pod, admitted: false, containers: [], dirty: true });
        return;
      }
      run.pod = pod;
      if (JSON.stringify(pod.status ?? {}) !== run.lastWritten) run.dirty = true;
    }),
    health.onChange((node) => {
      for (const run of runs.values()) if (run.node === node) run.dirty = true;
    }),
  ];
  /** When each node under memory pressure last evicted a pod (absent: not under pressure). */
  const lastEviction = new Map<string, number>();
  const stopTick = every(KUBELET_TICK_MS, tick, deps.log, "kubelet");

  function tick(): void {
    const now = deps.now();
    for (const run of [...runs.values()]) {
      const state = health.health(run.node);
      if (!nodes.has(run.node)) {
        // No such node: pod garbage collection removes a deleted pod bound to it.
        if (run.pod.metadata.deletionTimestamp) finalize(run, now, false);
        continue;
      }
      if (state === "Unreachable") continue;
      if (run.pod.metadata.deletionTimestamp && !run.stopping) run.stopping = startStopping(run, now.getTime());
      if (run.stopping) {
        continueStopping(run, run.stopping, now);
        continue;
      }
      // A kubelet whose runtime is down makes no progress with its pods.
      if (state === "NotReady") continue;
      if (!run.admitted && !admit(run, now)) continue;
      for (const entry of run.containers) step(run, entry, now.getTime());
      if (run.dirty) writeStatus(run, now);
    }
    for (const node of nodes.keys()) manageMemoryPressure(node, now);
  }

  /**
   * The eviction manager's memory signal: while the node is under MemoryPressure (a pod eating
   * its memory, see node-health.ts) it evicts one pod per interval, BestEffort before Burstable
   * before Guaranteed, sparing DaemonSet pods, critical pods and the culprit itself. (A real
   * kubelet ranks by usage above requests and would pick an unbounded culprit early; the
   * sandbox spares it so the incident stays for a person to find, as CONTRACTS.md asks.)
   */
  function manageMemoryPressure(node: string, now: Date): void {
    if (health.health(node) !== "Ready" || !health.underPressure(node, "MemoryPressure")) {
      lastEviction.delete(node);
      return;
    }
    const last = lastEviction.get(node);
    if (last === undefined) {
      const subject = { apiVersion: "v1", kind: "Node", metadata: { name: node, uid: node, resourceVersion: "" } };
      recorder.record(subject, { component: "kubelet", host: node }, "Warning", "EvictionThresholdMet", "Attempting to reclaim memory");
    } else if (now.getTime() - last < EVICTION_INTERVAL_MS) return;
    lastEviction.set(node, now.getTime());
    const hog = health.memoryHog(node);
    const victim = [...runs.values()]
      .filter((r) => r.node === node && r.admitted && !r.stopping && !r.pod.metadata.deletionTimestamp && r.pod.status?.phase !== "Failed" && r.pod.status?.phase !== "Succeeded")
      .filter((r) => !r.pod.metadata.ownerReferences?.some((o) => o.kind === "DaemonSet") && !CRITICAL_PRIORITY_CLASSES.has(r.pod.spec?.priorityClassName ?? "") && !hog?.isHog(r.pod))
      .sort((a, b) => QOS_RANK[qosClass(a.pod.spec)] - QOS_RANK[qosClass(b.pod.spec)] || a.name.localeCompare(b.name))[0];
    if (!victim) return;
    const availableKi = 40_000 + Math.floor(deps.random() * 50_000);
    const culprit = hog ? ` Container ${hog.usage.container} was using ${Math.round(hog.usage.bytes / 1024)}Ki, request is 0, has larger consumption of memory.` : "";
    evictRun(victim, `The node was low on resource: memory. Threshold quantity: ${MEMORY_THRESHOLD}, available: ${availableKi}Ki.${culprit}`);
  }

  function evictRun(run: PodRun, message: string): void {
    const now = deps.now();
    for (const entry of run.containers) killNow(entry.run, now.getTime());
    const status = { ...buildPodStatus(run.pod, run, timestamp(now)), phase: "Failed" as const, reason: "Evicted", message };
    store.mutate("pods", run.namespace, run.name, (o) => void (o.status = status), { subresource: "status" });
    recorder.record(run.pod, { component: "kubelet", host: run.node }, "Warning", "Evicted", message);
    runs.delete(run.uid);
    if (run.podIP) usedIPs.get(run.node)?.delete(run.podIP);
  }

  function envFor(run: PodRun, container: Container, now: number): StepEnv {
    return {
      now,
      ctx: { cluster: deps.cluster, node: run.node, pod: run.pod, container },
      behaviour,
      restartPolicy: run.pod.spec?.restartPolicy ?? "Always",
      podRef: `${run.name}_${run.namespace}(${run.uid})`,
      imagePresent: images.get(run.node)?.has(container.image ?? "") ?? false,
      configProblem: () => envProblem(run.namespace, container, configSource),
      random: deps.random,
    };
  }

  function step(run: PodRun, entry: PodRun["containers"][number], now: number): void {
    const result = stepContainer(entry.run, envFor(run, entry.container, now));
    if (result.pulled) {
      let set = images.get(run.node);
      if (!set) images.set(run.node, (set = new Set()));
      set.add(entry.container.image ?? "");
    }
    if (result.restarted) logs.restart(run.namespace, run.name, entry.container.name);
    for (const line of result.logs) logs.append(run.namespace, run.name, entry.container.name, line);
    for (const e of result.events) containerEvent(run, entry.container, e.type, e.reason, e.message);
    if (result.changed) run.dirty = true;
  }

  function containerEvent(run: PodRun, c: Container, type: "Normal" | "Warning", reason: string, message: string): void {
    recorder.record(run.pod, { component: "kubelet", host: run.node }, type, reason, message, { fieldPath: `spec.containers{${c.name}}` });
  }

  /** Gives the pod its sandbox: an address from the node's pod CIDR, the node's address, a start time. */
  function admit(run: PodRun, now: Date): boolean {
    const node = nodes.get(run.node);
    const hostIP = node?.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
    const cidr = node?.spec?.podCIDR;
    if (!hostIP || (!cidr && !run.pod.spec?.hostNetwork)) return false;
    const prior = run.pod.status;
    const podIP = run.pod.spec?.hostNetwork ? hostIP : allocateIP(run.node, cidr ?? "", prior?.podIP);
    if (!podIP) return false;
    run.hostIP = hostIP;
    run.podIP = podIP;
    run.startTime = prior?.startTime ?? timestamp(now);
    run.containers = (run.pod.spec?.containers ?? []).map((container) => {
      const status = prior?.containerStatuses?.find((s) => s.name === container.name);
      const adopted = status && prior?.podIP === podIP ? adoptContainerRun(container, status, now.getTime()) : undefined;
      return { container, run: adopted ?? newContainerRun(container.name, now.getTime()) };
    });
    run.admitted = true;
    run.dirty = true;
    return true;
  }

  function allocateIP(node: string, cidr: string, wanted: string | undefined): string | undefined {
    const m = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(cidr);
    if (!m) return undefined;
    let used = usedIPs.get(node);
    if (!used) usedIPs.set(node, (used = new Set()));
    if (wanted?.startsWith(`${m[1]}.`) && !used.has(wanted)) {
      used.add(wanted);
      return wanted;
    }
    for (let host = 2; host < 255; host++) {
      const ip = `${m[1]}.${host}`;
      if (!used.has(ip)) {
        used.add(ip);
        return ip;
      }
    }
    return undefined;
  }

  function startStopping(run: PodRun, now: number): { finalizeAt: number } {
    const grace = run.pod.metadata.deletionGracePeriodSeconds ?? run.pod.spec?.terminationGracePeriodSeconds ?? 30;
    let finalizeAt = now;
    for (const entry of run.containers) {
      const { events, doneAt } = beginStop(entry.run, envFor(run, entry.container, now), grace);
      for (const e of events) containerEvent(run, entry.container, e.type, e.reason, e.message);
      finalizeAt = Math.max(finalizeAt, doneAt);
    }
    run.dirty = true;
    return { finalizeAt };
  }

  function continueStopping(run: PodRun, stopping: { finalizeAt: number }, now: Date): void {
    for (const entry of run.containers) step(run, entry, now.getTime());
    if (now.getTime() < stopping.finalizeAt || run.containers.some((c) => c.run.stage !== "done")) {
      if (run.dirty) writeStatus(run, now);
      return;
    }
    finalize(run, now, run.admitted);
  }

  /** The kubelet's last word on a deleted pod: its final status, then its removal from the store. */
  function finalize(run: PodRun, now: Date, reportStatus: boolean): void {
    if (reportStatus) writeStatus(run, now);
    store.finalizeDeletion("pods", run.namespace, run.name);
    release(run);
  }

  function writeStatus(run: PodRun, now: Date): void {
    run.dirty = false;
    if (!run.admitted) return;
    const status = buildPodStatus(run.pod, run, timestamp(now));
    const json = JSON.stringify(status);
    if (json === run.lastWritten) return;
    const written = store.mutate(
      "pods",
      run.namespace,
      run.name,
      (o) => {
        if (o.metadata.uid !== run.uid) return false;
        o.status = status;
      },
      { subresource: "status" },
    );
    if (written.ok && written.value.metadata.uid === run.uid) {
      run.pod = typed<Pod>(written.value);
      run.lastWritten = JSON.stringify(written.value.status ?? {});
    }
  }

  function release(run: PodRun): void {
    runs.delete(run.uid);
    if (run.podIP && !run.pod.spec?.hostNetwork) usedIPs.get(run.node)?.delete(run.podIP);
    const sameName = [...runs.values()].some((r) => r.namespace === run.namespace && r.name === run.name);
    if (!sameName) logs.forget(run.namespace, run.name);
  }

  return {
    evict(namespace, name, message) {
      const run = [...runs.values()].find((r) => r.namespace === namespace && r.name === name);
      if (!run?.admitted) return false;
      evictRun(run, message);
      return true;
    },
    stop() {
      for (const u of unwatch) u();
      stopTick();
    },
  };
}
