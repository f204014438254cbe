import { describe, expect, it } from "vitest";
import { Finding } from "@autodevops/shared";
import { emptyHistory, remember, type History } from "./history.js";
import { detect } from "./index.js";
import type { ContainerStatus, Observation, PodObject } from "./observations.js";
import { detectorSettings } from "./settings.js";

// Shapes copied from the sandbox's pods (kubelet status as it writes it); timeFactor 10 as there.
const s = detectorSettings({ timeFactor: 10 });
const now = new Date("2026-11-23T10:00:00.000Z");
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

function pod(opts: { name?: string; phase?: string; containers?: Partial<ContainerStatus>[]; conditions?: NonNullable<PodObject["status"]>["conditions"]; owner?: boolean; image?: string; reason?: string; message?: string; deleting?: boolean }): Observation {
  const name = opts.name ?? "cart-7d9f8b6c5d-x2k4p";
  const image = opts.image ?? "registry.example.com/shop/cart:2.3.1";
  return {
    type: "pod",
    cluster: "prod",
    pod: {
      metadata: {
        name,
        namespace: "shop",
        uid: `uid-${name}`,
        labels: { app: "cart", "pod-template-hash": "7d9f8b6c5d" },
        ...(opts.owner === false ? {} : { ownerReferences: [{ kind: "ReplicaSet", name: "cart-7d9f8b6c5d" }] }),
        ...(opts.deleting ? { deletionTimestamp: ago(0) } : {}),
      },
      spec: { nodeName: "node-a", containers: [{ name: "cart", image }] },
      status: {
        phase: opts.phase ?? "Running",
        ...(opts.reason ? { reason: opts.reason, message: opts.message ?? "" } : {}),
        conditions: opts.conditions ?? [{ type: "Ready", status: "True", lastTransitionTime: ago(600_000) }],
        containerStatuses: (opts.containers ?? [{}]).map((c) => ({ name: "cart", ready: true, restartCount: 0, image, state: { running: { startedAt: ago(60_000) } }, lastState: {}, ...c })),
      },
    },
  };
}

const crashing = (restartCount: number, exit = { exitCode: 1, reason: "Error" }): Partial<ContainerStatus> => ({
  ready: false,
  restartCount,
  state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 20s restarting failed container=cart pod=cart-7d9f8b6c5d-x2k4p_shop" } },
  lastState: { terminated: { ...exit, startedAt: ago(4_000), finishedAt: ago(2_000) } },
});

const names = (o: Observation, h: History = emptyHistory()) => detect(o, h, now, s).map((f) => `${f.name}:${f.kind}`);

describe("pod detector", () => {
  it.each([
    ["a healthy pod", pod({}), []],
    ["a single restart, running again", pod({ containers: [{ restartCount: 1, lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: ago(3_000) } } }] }), []],
    ["CrashLoopBackOff after exits with code 1", pod({ containers: [crashing(2)] }), ["pod.crashloop:crashloop"]],
    ["CrashLoopBackOff after OOM kills (137)", pod({ containers: [crashing(3, { exitCode: 137, reason: "OOMKilled" })] }), ["pod.oomkilled:oom"]],
    ["a liveness kill (137, reason Error) is a crash, not an OOM", pod({ containers: [crashing(3, { exitCode: 137, reason: "Error" })] }), ["pod.crashloop:crashloop"]],
    ["restarts long ago, running since", pod({ containers: [{ restartCount: 7, lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: ago(3_600_000) } } }] }), []],
    ["ImagePullBackOff", pod({ phase: "Pending", containers: [{ ready: false, state: { waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "registry.example.com/shop/cart:2.3.2-rc.1"' } } }] }), ["pod.image-pull:image-pull"]],
    ["a first ErrImagePull", pod({ phase: "Pending", containers: [{ ready: false, state: { waiting: { reason: "ErrImagePull" } } }] }), []],
    ["Pending and unschedulable for 1s (10s of cluster time)", pod({ phase: "Pending", containers: [], conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient cpu.", lastTransitionTime: ago(1_000) }] }), []],
    ["Pending and unschedulable for 4s (40s of cluster time)", pod({ phase: "Pending", containers: [], conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient cpu.", lastTransitionTime: ago(4_000) }] }), ["pod.unschedulable:unschedulable"]],
    ["Running, not Ready for 1s", pod({ containers: [{ ready: false }], conditions: [{ type: "Ready", status: "False", reason: "ContainersNotReady", lastTransitionTime: ago(1_000) }] }), []],
    ["Running, not Ready for 5s", pod({ containers: [{ ready: false }], conditions: [{ type: "Ready", status: "False", reason: "ContainersNotReady", lastTransitionTime: ago(5_000) }] }), ["pod.not-ready:unknown"]],
    ["a terminating pod", pod({ deleting: true, containers: [crashing(4)] }), []],
    ["a bare pod from an unfamiliar registry", pod({ name: "kworkerd-abcde", owner: false, image: "docker.minerhub.example/kdevtmpfsi/kworkerd:latest" }), ["pod.unowned:rogue-pod"]],
    ["a bare pod from the estate's registry", pod({ name: "debug", owner: false }), []],
    ["a pod evicted for memory", pod({ phase: "Failed", reason: "Evicted", message: "The node was low on resource: memory.", containers: [{ ready: false, state: { terminated: { exitCode: 137, reason: "Error" } } }] }), ["pod.evicted:noisy-neighbour"]],
    ["a pod whose node stopped reporting", pod({ phase: "Unknown", reason: "NodeLost", message: "Node node-b which was running pod cart is unresponsive" }), ["pod.node-lost:node-not-ready"]],
  ])("%s", (_what, o, expected) => {
    expect(names(o)).toEqual(expected);
  });

  it("counts restarts within the window against earlier samples of the same pod", () => {
    const running = (restartCount: number) => pod({ containers: [{ restartCount, lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: ago(1_000) } } }] });
    let h = remember(emptyHistory(), running(3), new Date(now.getTime() - 20_000), s);
    expect(names(running(4), h)).toEqual([]);
    h = remember(h, running(4), new Date(now.getTime() - 10_000), s);
    expect(names(running(5), h)).toEqual(["pod.crashloop:crashloop"]);
  });

  it("needs ErrImagePull to hold before it names an image pull", () => {
    const pulling = pod({ phase: "Pending", containers: [{ ready: false, state: { waiting: { reason: "ErrImagePull" } } }] });
    const h = remember(emptyHistory(), pulling, new Date(now.getTime() - 4_000), s);
    expect(names(pulling, h)).toEqual(["pod.image-pull:image-pull"]);
  });

  it("quotes the reason, the exit and the counts as evidence, and fits the shared Finding schema", () => {
    const [f] = detect(pod({ containers: [crashing(3, { exitCode: 137, reason: "OOMKilled" })] }), emptyHistory(), now, s);
    expect(Finding.safeParse(f).success).toBe(true);
    expect(f).toMatchObject({ workload: "cart", pod: "cart-7d9f8b6c5d-x2k4p", node: "node-a", labels: { restarts: "3", exitCode: "137", lastReason: "OOMKilled", podTemplateHash: "7d9f8b6c5d" } });
    expect(f?.evidence.join("\n")).toMatch(/restartCount=3[\s\S]*CrashLoopBackOff[\s\S]*reason=OOMKilled exitCode=137/);
  });
});
