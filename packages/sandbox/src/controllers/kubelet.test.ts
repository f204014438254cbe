import { afterEach, describe, expect, it } from "vitest";
import { createDefaultBehaviour, type ContainerBehaviour } from "./container-behaviour.js";
import { typed, type ContainerStatus, type Pod } from "./kube-shapes.js";
import { startControllers } from "./start-controllers.js";
import { eventsFor, isRunningReady, mustCreate, podInput, startTestCluster, waitFor, type TestCluster } from "./test-cluster.js";

let cluster: TestCluster | undefined;
afterEach(() => {
  cluster?.stop();
  expect(cluster?.problems ?? []).toEqual([]);
  cluster = undefined;
});

const healthy = () => createDefaultBehaviour({ random: Math.random });
const pod = (c: TestCluster, name: string) => {
  const o = c.store.get("pods", "shop", name);
  return o ? typed<Pod>(o) : undefined;
};
const containerOf = (c: TestCluster, name: string): ContainerStatus | undefined => pod(c, name)?.status?.containerStatuses?.[0];

describe("kubelet", () => {
  it("starts a bound pod through ContainerCreating to Running and Ready, with its status, events and logs", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "pods", podInput("web", "shop"));
    const p = await waitFor("web Running and Ready", () => {
      const x = pod(c, "web");
      return x && isRunningReady(x) ? x : undefined;
    });
    const s = p.status!;
    expect(s.podIP).toMatch(/^10\.244\.\d\.\d+$/);
    expect(s.hostIP).toMatch(/^10\.0\.1\.1\d$/);
    expect(s.qosClass).toBe("Burstable");
    expect(s.conditions?.map((x) => `${x.type}=${x.status}`)).toEqual([
      "PodReadyToStartContainers=True",
      "Initialized=True",
      "Ready=True",
      "ContainersReady=True",
      "PodScheduled=True",
    ]);
    const cs = s.containerStatuses?.[0];
    expect(cs).toMatchObject({ name: "web", ready: true, started: true, restartCount: 0, image: "registry.example.com/shop/web:1.0.0" });
    expect(cs?.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(cs?.imageID).toMatch(/^registry\.example\.com\/shop\/web@sha256:[0-9a-f]{64}$/);
    expect(cs?.state.running?.startedAt).toBeDefined();
    expect(eventsFor(c.store, "web").map((e) => e.reason)).toEqual(expect.arrayContaining(["Scheduled", "Pulling", "Pulled", "Created", "Started"]));
    const started = eventsFor(c.store, "web", "Started")[0];
    expect(started).toMatchObject({ message: "Started container web", source: { component: "kubelet", host: p.spec?.nodeName } });
    expect((started?.involvedObject as { fieldPath?: string }).fieldPath).toBe("spec.containers{web}");
    expect(c.logs.read("shop", "web", "web")?.length).toBeGreaterThan(0);
  });

  it("restarts a container that keeps exiting with a growing CrashLoopBackOff and climbing restart count", async () => {
    const base = healthy();
    const crashing: ContainerBehaviour = {
      ...base,
      exited: ({ now, startedAt }) => (now.getTime() - startedAt.getTime() > 300 ? { exitCode: 1, reason: "Error" } : undefined),
      logLines: (ctx, w) => [...base.logLines(ctx, w), ...(w.first ? [{ at: w.from, text: "panic: runtime error: invalid memory address" }] : [])],
    };
    cluster = startTestCluster({ behaviour: crashing });
    const c = cluster;
    mustCreate(c.store, "pods", podInput("crash", "shop", { readiness: false }));
    const seen: string[] = [];
    await waitFor("a 20s back-off", () => {
      const w = containerOf(c, "crash")?.state.waiting;
      if (w?.reason === "CrashLoopBackOff" && w.message && !seen.includes(w.message)) seen.push(w.message);
      return seen.some((m) => m.startsWith("back-off 20s"));
    });
    const p = pod(c, "crash")!;
    const cs = containerOf(c, "crash")!;
    expect(seen[0]).toBe(`back-off 10s restarting failed container=crash pod=crash_shop(${p.metadata.uid})`);
    expect(cs.restartCount).toBeGreaterThanOrEqual(2);
    expect(cs.lastState.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(cs.ready).toBe(false);
    expect(p.status?.phase).toBe("Running");
    const backOff = eventsFor(c.store, "crash", "BackOff")[0];
    expect(backOff).toMatchObject({ type: "Warning", message: `Back-off restarting failed container crash in pod crash_shop(${p.metadata.uid})` });
    expect(backOff?.count).toBeGreaterThanOrEqual(2);
    expect(c.logs.read("shop", "crash", "crash", { previous: true })?.map((l) => l.text)).toContain("panic: runtime error: invalid memory address");
  });

  it("reports a container the kernel killed for memory as OOMKilled with exit code 137", async () => {
    const base = healthy();
    cluster = startTestCluster({
      behaviour: { ...base, exited: (ctx) => (ctx.restartCount === 0 && ctx.now.getTime() - ctx.startedAt.getTime() > 200 ? { exitCode: 137, reason: "OOMKilled" } : undefined) },
    });
    const c = cluster;
    mustCreate(c.store, "pods", podInput("hungry", "shop", { readiness: false }));
    await waitFor("a restart after the OOM kill", () => containerOf(c, "hungry")?.lastState.terminated);
    expect(containerOf(c, "hungry")?.lastState.terminated).toMatchObject({ exitCode: 137, reason: "OOMKilled" });
    await waitFor("running again", () => containerOf(c, "hungry")?.state.running && containerOf(c, "hungry")?.restartCount === 1);
  });

  it("holds a container whose ConfigMap key is missing in CreateContainerConfigError until the key appears", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "shop" }, data: { OTHER: "1" } });
    mustCreate(
      c.store,
      "pods",
      podInput("cfg-user", "shop", { container: { env: [{ name: "LOG_LEVEL", valueFrom: { configMapKeyRef: { name: "cfg", key: "LOG_LEVEL" } } }] } }),
    );
    const waiting = await waitFor("CreateContainerConfigError", () => {
      const w = containerOf(c, "cfg-user")?.state.waiting;
      return w?.reason === "CreateContainerConfigError" ? w : undefined;
    });
    expect(waiting.message).toBe("couldn't find key LOG_LEVEL in ConfigMap shop/cfg");
    expect(pod(c, "cfg-user")?.status?.phase).toBe("Pending");
    expect(eventsFor(c.store, "cfg-user", "Failed")[0]).toMatchObject({ type: "Warning", message: "Error: couldn't find key LOG_LEVEL in ConfigMap shop/cfg" });
    c.store.mutate("configmaps", "shop", "cfg", (o) => void (o.data = { OTHER: "1", LOG_LEVEL: "info" }));
    await waitFor("cfg-user running", () => containerOf(c, "cfg-user")?.state.running);
  });

  it("reports a missing image as ErrImagePull, then ImagePullBackOff, with containerd's message", async () => {
    cluster = startTestCluster({ behaviour: createDefaultBehaviour({ random: Math.random, missingImages: new Set(["9.9.9"]) }) });
    const c = cluster;
    mustCreate(c.store, "pods", podInput("img", "shop", { image: "registry.example.com/shop/img:9.9.9" }));
    const reasons = new Set<string>();
    await waitFor("ImagePullBackOff", () => {
      const w = containerOf(c, "img")?.state.waiting;
      if (w?.reason) reasons.add(w.reason);
      return w?.reason === "ImagePullBackOff" ? w : undefined;
    });
    expect(containerOf(c, "img")?.state.waiting?.message).toBe('Back-off pulling image "registry.example.com/shop/img:9.9.9"');
    const failed = eventsFor(c.store, "img", "Failed").map((e) => e.message);
    expect(failed).toContain(
      'Failed to pull image "registry.example.com/shop/img:9.9.9": rpc error: code = NotFound desc = failed to pull and unpack image "registry.example.com/shop/img:9.9.9": failed to resolve reference "registry.example.com/shop/img:9.9.9": registry.example.com/shop/img:9.9.9: not found',
    );
    expect(failed).toEqual(expect.arrayContaining(["Error: ErrImagePull", "Error: ImagePullBackOff"]));
    expect(eventsFor(c.store, "img", "BackOff")[0]?.message).toBe('Back-off pulling image "registry.example.com/shop/img:9.9.9"');
    expect(pod(c, "img")?.status?.phase).toBe("Pending");
  });

  it("restarts a container that fails its liveness probe, with Unhealthy and Killing events", async () => {
    const base = healthy();
    cluster = startTestCluster({
      behaviour: { ...base, probe: (ctx, kind, probe) => (kind === "liveness" && ctx.restartCount === 0 ? { ok: false, message: 'Get "http://10.244.0.2:8080/healthz": context deadline exceeded' } : base.probe(ctx, kind, probe)) },
    });
    const c = cluster;
    mustCreate(c.store, "pods", podInput("live", "shop", { container: { livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 1, failureThreshold: 3 } } }));
    await waitFor("a restart", () => (containerOf(c, "live")?.restartCount ?? 0) >= 1 && containerOf(c, "live")?.state.running);
    expect(eventsFor(c.store, "live", "Unhealthy")[0]?.message).toBe('Liveness probe failed: Get "http://10.244.0.2:8080/healthz": context deadline exceeded');
    expect(eventsFor(c.store, "live", "Unhealthy")[0]?.count).toBe(3);
    expect(eventsFor(c.store, "live", "Killing")[0]?.message).toBe("Container live failed liveness probe, will be restarted");
    expect(containerOf(c, "live")?.lastState.terminated).toMatchObject({ exitCode: 137, reason: "Error" });
  });

  it("takes a pod out of Ready while its readiness probe fails, and back in when it passes", async () => {
    const base = healthy();
    let failing = false;
    cluster = startTestCluster({
      behaviour: { ...base, probe: (ctx, kind, probe) => (kind === "readiness" && failing ? { ok: false, message: "HTTP probe failed with statuscode: 503" } : base.probe(ctx, kind, probe)) },
    });
    const c = cluster;
    mustCreate(c.store, "pods", podInput("ready", "shop"));
    await waitFor("ready", () => isRunningReady(pod(c, "ready")!));
    failing = true;
    await waitFor("not ready", () => pod(c, "ready")?.status?.conditions?.find((x) => x.type === "Ready" && x.status === "False"));
    expect(pod(c, "ready")?.status?.conditions?.find((x) => x.type === "Ready")).toMatchObject({ reason: "ContainersNotReady", message: "containers with unready status: [ready]" });
    expect(eventsFor(c.store, "ready", "Unhealthy")[0]?.message).toBe("Readiness probe failed: HTTP probe failed with statuscode: 503");
    expect(containerOf(c, "ready")?.restartCount).toBe(0);
    failing = false;
    await waitFor("ready again", () => isRunningReady(pod(c, "ready")!));
  });

  it("deletes a pod gracefully: Killing, Terminating for the compressed grace period, then gone with its logs", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "pods", podInput("bye", "shop"));
    await waitFor("running", () => containerOf(c, "bye")?.state.running);
    const deletedAt = Date.now();
    c.store.delete("pods", "shop", "bye", { gracePeriodSeconds: 10 });
    expect(pod(c, "bye")?.metadata.deletionTimestamp).toBeDefined();
    await waitFor("Killing", () => eventsFor(c.store, "bye", "Killing")[0]);
    expect(eventsFor(c.store, "bye", "Killing")[0]?.message).toBe("Stopping container bye");
    await waitFor("the pod gone", () => !pod(c, "bye"));
    expect(Date.now() - deletedAt).toBeGreaterThanOrEqual(900);
    expect(c.logs.read("shop", "bye", "bye")).toBeUndefined();
  });

  it("carries on with running containers when the controllers restart, instead of starting them again", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "pods", podInput("steady", "shop"));
    await waitFor("ready", () => isRunningReady(pod(c, "steady")!));
    const before = containerOf(c, "steady")!;
    const ip = pod(c, "steady")?.status?.podIP;
    c.controllers.stop();
    const again = startControllers({ cluster: c, log: { warn: (fields, msg) => c.problems.push({ level: "warn", fields, msg }), error: (fields, msg) => c.problems.push({ level: "error", fields, msg }) } });
    try {
      mustCreate(c.store, "pods", podInput("newcomer", "shop"));
      await waitFor("the newcomer ready", () => isRunningReady(pod(c, "newcomer")!));
      expect(containerOf(c, "steady")).toMatchObject({ containerID: before.containerID, restartCount: 0, ready: true, state: before.state });
      expect(pod(c, "steady")?.status?.podIP).toBe(ip);
      expect(pod(c, "newcomer")?.status?.podIP).not.toBe(ip);
    } finally {
      again.stop();
    }
  });

  it("evicts a pod on request: Failed, reason Evicted, with an Evicted event", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "pods", podInput("hog", "shop"));
    await waitFor("running", () => containerOf(c, "hog")?.state.running);
    const message = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 56Mi.";
    expect(c.controllers.kubelet.evict("shop", "hog", message)).toBe(true);
    expect(pod(c, "hog")?.status).toMatchObject({ phase: "Failed", reason: "Evicted", message });
    expect(eventsFor(c.store, "hog", "Evicted")[0]?.message).toBe(message);
  });
});
