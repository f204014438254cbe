import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpuMilli } from "../controllers/quantity.js";
import { waitFor } from "../controllers/test-cluster.js";
import { CALL_TIMEOUT_MS } from "../telemetry/traffic-model.js";
import { startFaultCluster, type FaultTestCluster } from "./fault-test-cluster.js";
import { CLEANUP_ANNOTATION } from "./kinds/disk-pressure.js";

let c: FaultTestCluster;
beforeAll(async () => {
  c = await startFaultCluster();
}, 60_000);
afterAll(async () => {
  await c?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GI = 2 ** 30;

type Event = { reason: string; message: string; type: string; involvedObject: { kind: string; name: string } };
const events = async (namespace: string): Promise<Event[]> => (JSON.parse(await c.kubectl(["get", "events", "-n", namespace, "-o", "json"])) as { items: Event[] }).items;
const unschedulablePod = (workload: string) =>
  c.statuses(workload).find((s) => s.pod.status?.conditions?.some((x) => x.type === "PodScheduled" && x.status === "False" && x.reason === "Unschedulable"))?.pod;
const lines = (pod: string, container: string, namespace = "shop") => (c.logs.read(namespace, pod, container) ?? []).map((l) => l.text);

describe("unschedulable", () => {
  it("leaves the rollout's new pod Pending on Insufficient cpu; deleting it does not cure, lowering the request does", async () => {
    const id = c.inject({ kind: "unschedulable", namespace: "shop", target: "catalog", params: { by: "jenkins" } });
    expect(c.mutations.since().at(-1)).toMatchObject({ user: "jenkins", resource: "deployments", name: "catalog", action: "set-resources" });
    const pending = await waitFor("a catalog pod Pending unschedulable", () => unschedulablePod("catalog"), 10_000);
    expect(pending.status?.phase).toBe("Pending");
    // Ten times the 250m request, or more: past what any node has free.
    expect(cpuMilli(pending.spec?.containers?.[0]?.resources?.requests?.cpu)).toBeGreaterThanOrEqual(2500);
    const failed = await waitFor("FailedScheduling event", async () => (await events("shop")).find((e) => e.reason === "FailedScheduling" && e.involvedObject.name === pending.metadata.name));
    expect(failed?.type).toBe("Warning");
    expect(failed?.message).toMatch(/^0\/3 nodes are available: 3 Insufficient cpu\./);
    expect(c.metric("kube_pod_status_phase", { namespace: "shop", pod: pending.metadata.name, phase: "Pending" })[0]?.value).toBe(1);
    // The old revision goes on serving: nothing else is wrong.
    expect(c.statuses("catalog").filter((s) => s.status?.ready).length).toBe(2);
    expect(c.traffic("catalog")?.codes["200"] ?? 0).toBeGreaterThan(0.9);

    // Deleting the Pending pod only brings a new one with the same request.
    await c.kubectl(["delete", "pod", pending.metadata.name, "--wait=false"], "scarlet");
    await waitFor("a new Pending catalog pod", () => {
      const p = unschedulablePod("catalog");
      return p && p.metadata.name !== pending.metadata.name ? p : undefined;
    });
    expect(c.fault(id)?.cured).toBe(false);

    await c.kubectl(["set", "resources", "deployment/catalog", "--requests=cpu=250m"]);
    const cured = await waitFor("unschedulable cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined), 20_000);
    expect(cured.curedBy).toBe("admin");
    expect(unschedulablePod("catalog")).toBeUndefined();
    await waitFor("catalog rolled out", () => c.rolledOut("catalog"), 20_000);
  }, 60_000);

  it("refuses a cpu request that would fit, and undo restores the template", async () => {
    const bad = c.registry.inject({ kind: "unschedulable", namespace: "shop", target: "cart", params: { cpu: "100m" } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/cpu 100m fits a node/);
    const before = JSON.stringify(c.store.get("apps/deployments", "shop", "cart")?.spec?.template);
    const id = c.inject({ kind: "unschedulable", namespace: "shop", target: "cart" });
    expect(JSON.stringify(c.store.get("apps/deployments", "shop", "cart")?.spec?.template)).not.toBe(before);
    c.registry.clear(id);
    expect(JSON.stringify(c.store.get("apps/deployments", "shop", "cart")?.spec?.template)).toBe(before);
    await waitFor("cart rolled out", () => c.rolledOut("cart"), 20_000);
  }, 30_000);
});

describe("quota-exceeded", () => {
  it("caps the namespace's pods; a scale-up fails with FailedCreate, deleting pods does not cure, raising the quota does", async () => {
    // Pods still terminating from the tests before would free slots under the cap later.
    await waitFor("no shop pod terminating", () => !c.store.list("pods", { namespace: "shop" }).items.some((p) => p.metadata.deletionTimestamp), 20_000);
    const id = c.inject({ kind: "quota-exceeded", namespace: "shop", target: "cart" });
    expect(c.mutations.since().at(-1)).toMatchObject({ user: "ci-bot", verb: "create", resource: "resourcequotas", name: "compute-resources" });
    const hard = Number((c.store.get("resourcequotas", "shop", "compute-resources")?.spec as { hard: { pods: string } }).hard.pods);
    await waitFor("quota status counted", () => (c.store.get("resourcequotas", "shop", "compute-resources")?.status as { used?: { pods?: string } } | undefined)?.used?.pods === String(hard));
    expect(c.metric("kube_resourcequota", { namespace: "shop", resourcequota: "compute-resources", resource: "pods", type: "hard" })[0]?.value).toBe(hard);
    expect(c.metric("kube_resourcequota", { namespace: "shop", resourcequota: "compute-resources", resource: "pods", type: "used" })[0]?.value).toBe(hard);

    await c.kubectl(["scale", "deployment/cart", "--replicas=3"]);
    const refused = await waitFor("FailedCreate exceeded quota", async () =>
      (await events("shop")).find((e) => e.reason === "FailedCreate" && e.involvedObject.kind === "ReplicaSet" && e.involvedObject.name.startsWith("cart-")),
    );
    expect(refused?.message).toMatch(/exceeded quota: compute-resources, requested: pods=1, used: pods=\d+, limited: pods=\d+/);
    expect(c.metric("kube_deployment_status_replicas_available", { namespace: "shop", deployment: "cart" })[0]?.value).toBe(2);
    expect(c.fault(id)?.cured).toBe(false);

    // Deleting a pod frees its slot only for its own replacement.
    const victim = c.statuses("cart")[0]?.pod.metadata.name ?? "";
    await c.kubectl(["delete", "pod", victim, "--wait=false"], "scarlet");
    await waitFor("the victim replaced", () => c.statuses("cart").length === 2 && !c.statuses("cart").some((s) => s.pod.metadata.name === victim), 20_000);
    await sleep(300);
    expect(c.statuses("cart").length).toBe(2);
    expect(c.fault(id)?.cured).toBe(false);

    await c.kubectl(["patch", "resourcequota", "compute-resources", "--type=merge", "-p", JSON.stringify({ spec: { hard: { pods: "50" } } })]);
    const cured = await waitFor("quota-exceeded cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined), 20_000);
    expect(cured.curedBy).toBe("admin");
    await waitFor("cart at 3 replicas", () => c.rolledOut("cart"), 20_000);

    await c.kubectl(["delete", "resourcequota", "compute-resources"]);
    await c.kubectl(["scale", "deployment/cart", "--replicas=2"]);
    await waitFor("cart back at 2", () => c.rolledOut("cart"), 20_000);
  }, 60_000);

  it("takes its quota back when cleared uncured, and names a clash in a 400-style message", () => {
    const id = c.inject({ kind: "quota-exceeded", namespace: "batch", target: "report-gen", params: { name: "batch-pods" } });
    const clash = c.registry.inject({ kind: "quota-exceeded", namespace: "batch", target: "report-gen", params: { name: "batch-pods" } });
    expect(clash.ok ? "" : clash.error.message).toMatch(/ResourceQuota batch\/batch-pods already exists/);
    c.registry.clear(id);
    expect(c.store.get("resourcequotas", "batch", "batch-pods")).toBeUndefined();
  });
});

describe("disk-pressure", () => {
  const claim = { namespace: "shop", persistentvolumeclaim: "data-catalog-db-0" };
  const fraction = () => (c.metric("kubelet_volume_stats_used_bytes", claim)[0]?.value ?? 0) / (c.metric("kubelet_volume_stats_capacity_bytes", claim)[0]?.value ?? 1);

  it("fills the claim past 90 % with ENOSPC in the logs; a restart or a small expansion does not cure, expanding past 80 % does", async () => {
    const id = c.inject({ kind: "disk-pressure", namespace: "shop", target: "catalog-db" });
    expect(fraction()).toBeGreaterThan(0.9);
    await waitFor("no space left in catalog-db's logs", () => lines("catalog-db-0", "catalog-db").some((l) => l.includes("No space left on device")));
    // Failed writes: catalog-db answers errors, and catalog with it.
    expect(c.traffic("catalog-db")?.codes["500"] ?? 0).toBeGreaterThan(0.05);
    expect(c.traffic("catalog")?.codes["500"] ?? 0).toBeGreaterThan(0.01);
    expect(c.traces(600_000).some((t) => t.spans.some((s) => s.service === "catalog-db" && s.error))).toBe(true);

    // A restart frees nothing: the data is on the volume.
    await c.kubectl(["delete", "pod", "catalog-db-0", "--wait=false"], "scarlet");
    await waitFor("catalog-db-0 back", () => c.statuses("catalog-db").some((s) => s.status?.ready === true && s.pod.metadata.creationTimestamp > new Date(Date.now() - 60_000).toISOString()), 20_000);
    await waitFor("volume stats back", () => c.metric("kubelet_volume_stats_used_bytes", claim).length === 1, 10_000);
    expect(fraction()).toBeGreaterThan(0.9);
    expect(c.fault(id)?.cured).toBe(false);

    // Scarlet may not touch claims at all: expansion is a person's call.
    await expect(c.kubectl(["patch", "pvc", "data-catalog-db-0", "-p", JSON.stringify({ spec: { resources: { requests: { storage: "20Gi" } } } })], "scarlet")).rejects.toThrow(/forbidden/);
    // 10Gi → 11Gi: the fraction drops, not below 80 %.
    await c.kubectl(["patch", "pvc", "data-catalog-db-0", "-p", JSON.stringify({ spec: { resources: { requests: { storage: "11Gi" } } } })]);
    await waitFor("capacity 11Gi", () => c.metric("kubelet_volume_stats_capacity_bytes", claim)[0]?.value === 11 * GI);
    expect(fraction()).toBeGreaterThan(0.8);
    expect(fraction()).toBeLessThan(0.9);
    await sleep(300);
    expect(c.fault(id)?.cured).toBe(false);

    await c.kubectl(["patch", "pvc", "data-catalog-db-0", "-p", JSON.stringify({ spec: { resources: { requests: { storage: "20Gi" } } } })]);
    const cured = await waitFor("disk-pressure cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe("admin");
    expect(c.metric("kubelet_volume_stats_capacity_bytes", claim)[0]?.value).toBe(20 * GI);
    expect(fraction()).toBeLessThan(0.8);
    const resized = (await events("shop")).filter((e) => e.involvedObject.name === "data-catalog-db-0").map((e) => e.reason);
    expect(resized).toEqual(expect.arrayContaining(["Resizing", "VolumeResizeSuccessful", "FileSystemResizeSuccessful"]));
  }, 60_000);

  it("is cured by a recorded data cleanup, writes params.message, and refuses a target without a volume", async () => {
    const bad = c.registry.inject({ kind: "disk-pressure", namespace: "shop", target: "cart" });
    expect(bad.ok ? "" : bad.error.message).toMatch(/mounts no PersistentVolumeClaim/);
    const badParams = c.registry.inject({ kind: "disk-pressure", namespace: "shop", target: "catalog-db", params: { usedFraction: 0.5 } });
    expect(badParams.ok ? "" : badParams.error.message).toMatch(/bad params for disk-pressure: usedFraction/);

    const id = c.inject({ kind: "disk-pressure", namespace: "shop", target: "catalog-db", params: { message: "FATAL: wal segment write failed: ENOSPC" } });
    expect(fraction()).toBeGreaterThan(0.9);
    await waitFor("the given message in the logs", () => lines("catalog-db-0", "catalog-db").includes("FATAL: wal segment write failed: ENOSPC"));
    await c.kubectl(["annotate", "pvc", "data-catalog-db-0", `${CLEANUP_ANNOTATION}=${new Date().toISOString()}`]);
    const cured = await waitFor("disk-pressure cured by cleanup", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe("admin");
    expect(fraction()).toBeLessThan(0.8);
  }, 30_000);
});

describe("network-policy-block", () => {
  it("drops the callers' connections while the target looks healthy; a restart or a partial opening does not cure, removing the policy does", async () => {
    await waitFor("catalog settled", () => c.rolledOut("catalog"), 20_000);
    const id = c.inject({ kind: "network-policy-block", namespace: "shop", target: "catalog", params: { by: "sec-bot" } });
    expect(c.mutations.since().at(-1)).toMatchObject({ user: "sec-bot", verb: "create", resource: "networkpolicies", name: "catalog-ingress" });
    // The callers wait out their timeouts; the target sees nothing and stays Ready.
    expect(c.traffic("frontend")?.codes["504"] ?? 0).toBeGreaterThan(0.05);
    expect(c.traffic("frontend")?.slowFraction ?? 0).toBeGreaterThan(0.05);
    expect(c.traffic("catalog")?.rps).toBe(0);
    expect(c.statuses("catalog").every((s) => s.status?.ready === true)).toBe(true);
    const timedOut = c.traces(600_000).flatMap((t) => t.spans).filter((s) => s.service === "frontend" && s.attributes["peer.service"] === "catalog" && s.error);
    expect(timedOut.length).toBeGreaterThan(0);
    expect(timedOut.every((s) => s.durationMs >= CALL_TIMEOUT_MS)).toBe(true);
    const frontendPod = c.statuses("frontend")[0]?.pod.metadata.name ?? "";
    await waitFor("i/o timeouts in frontend's logs", () => lines(frontendPod, "frontend").some((l) => l.includes("i/o timeout") && l.includes("catalog.shop.svc.cluster.local")));

    await c.kubectl(["rollout", "restart", "deployment/catalog"], "scarlet");
    await waitFor("catalog restarted", () => c.rolledOut("catalog"), 20_000);
    expect(c.fault(id)?.cured).toBe(false);

    // Scarlet may not edit NetworkPolicies; a person opening it to frontend alone still leaves batch/report-gen cut off.
    await expect(c.kubectl(["delete", "networkpolicy", "catalog-ingress"], "scarlet")).rejects.toThrow(/forbidden/);
    const frontendOnly = { spec: { ingress: [{ from: [{ podSelector: { matchLabels: { app: "frontend" } } }] }] } };
    await c.kubectl(["patch", "networkpolicy", "catalog-ingress", "--type=merge", "-p", JSON.stringify(frontendOnly)]);
    await sleep(300);
    expect(c.traffic("frontend")?.codes["504"] ?? 0).toBeLessThan(0.01);
    expect(c.fault(id)?.cured).toBe(false);

    await c.kubectl(["delete", "networkpolicy", "catalog-ingress"]);
    const cured = await waitFor("network-policy-block cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe("admin");
    expect(c.traffic("catalog")?.rps ?? 0).toBeGreaterThan(0);
  }, 60_000);

  it("refuses a target nobody calls, and undo removes the policy", () => {
    const bad = c.registry.inject({ kind: "network-policy-block", namespace: "platform", target: "ingress-gateway" });
    expect(bad.ok ? "" : bad.error.message).toMatch(/nothing in the estate calls platform\/ingress-gateway/);
    const id = c.inject({ kind: "network-policy-block", namespace: "shop", target: "cart" });
    expect(c.store.get("networking.k8s.io/networkpolicies", "shop", "cart-ingress")).toBeDefined();
    c.registry.clear(id);
    expect(c.store.get("networking.k8s.io/networkpolicies", "shop", "cart-ingress")).toBeUndefined();
    expect(c.traffic("checkout")?.codes["504"] ?? 0).toBeLessThan(0.01);
  });
});
