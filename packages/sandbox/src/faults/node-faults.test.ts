import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pod } from "../controllers/kube-shapes.js";
import { waitFor } from "../controllers/test-cluster.js";
import { comparableTemplate } from "../store/pod-template.js";
import { parseCli } from "./cli-args.js";
import { handleFaultRequest } from "./fault-routes.js";
import { startFaultCluster, type FaultTestCluster } from "./fault-test-cluster.js";
import { POOL, ROGUE_IMAGE } from "./kinds/rogue-pod.js";

let c: FaultTestCluster;
let server: Server;
let base: string;
beforeAll(async () => {
  c = await startFaultCluster();
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://control.invalid");
    void handleFaultRequest(req, res, url, c.registry).then((handled) => {
      if (!handled) res.writeHead(404).end("not mine");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await c?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GI = 2 ** 30;

type Event = { reason: string; message: string; involvedObject: { kind: string; name: string } };
const events = async (namespace?: string): Promise<Event[]> =>
  (JSON.parse(await c.kubectl(["get", "events", ...(namespace ? ["-n", namespace] : ["-A"]), "-o", "json"])) as { items: Event[] }).items;
const pods = () => c.store.list("pods").items.map((o) => o as unknown as Pod);
const condition = (node: string, type: string) =>
  ((c.store.get("nodes", undefined, node)?.status?.conditions ?? []) as { type: string; status: string }[]).find((x) => x.type === type)?.status;
const culprit = (node: string) => c.statuses("report-gen", "batch").find((s) => s.pod.spec?.nodeName === node && s.status?.state?.running && !s.pod.spec?.containers?.[0]?.resources?.limits?.memory)?.pod;
const template = () => comparableTemplate(c.store.get("apps/deployments", "batch", "report-gen")?.spec?.template);
/** Evicted pods stay Failed until someone removes them, as on a real cluster: tidy them between tests. */
const removeEvicted = () => {
  for (const p of pods()) if (p.status?.reason === "Evicted") c.store.delete("pods", p.metadata.namespace, p.metadata.name, { gracePeriodSeconds: 0 });
};

describe("noisy-neighbour", () => {
  it("puts the node under MemoryPressure and evicts its neighbours; deleting the culprit's pod does not cure, scaling it to 0 does", async () => {
    const node = "node-c";
    const before = template();
    const id = c.inject({ kind: "noisy-neighbour", target: node, params: { by: "data-team" } });
    expect(c.mutations.since().at(-1)).toMatchObject({ user: "data-team", verb: "patch", resource: "deployments", namespace: "batch", name: "report-gen" });
    const hog = await waitFor("report-gen running unbounded on node-c", () => culprit(node), 20_000);
    await waitFor("node-c MemoryPressure=True", () => condition(node, "MemoryPressure") === "True", 10_000);
    expect(c.metric("kube_node_status_condition", { node, condition: "MemoryPressure", status: "true" })[0]?.value).toBe(1);
    expect(c.metric("container_memory_working_set_bytes", { namespace: "batch", pod: hog.metadata.name })[0]?.value ?? 0).toBeGreaterThan(10 * GI);
    expect(c.metric("container_spec_memory_limit_bytes", { namespace: "batch", pod: hog.metadata.name })[0]?.value).toBe(0);
    await waitFor("the culprit's logs", () => (c.logs.read("batch", hog.metadata.name, "report-gen") ?? []).some((l) => l.text.includes("report cache growing")));

    // The kubelet evicts the neighbours, not the culprit.
    const evicted = await waitFor("a neighbour evicted", () => pods().find((p) => p.spec?.nodeName === node && p.status?.phase === "Failed" && p.status.reason === "Evicted"), 10_000);
    expect(evicted.metadata.labels?.app).not.toBe("report-gen");
    expect(evicted.status?.message).toMatch(/^The node was low on resource: memory\./);
    const all = await events();
    expect(all.some((e) => e.reason === "Evicted" && e.involvedObject.name === evicted.metadata.name)).toBe(true);
    expect(all.some((e) => e.reason === "EvictionThresholdMet" && e.involvedObject.name === node)).toBe(true);
    expect(c.store.get("nodes", undefined, node)?.spec?.taints).toEqual(expect.arrayContaining([expect.objectContaining({ key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule" })]));

    // A new pod of the same template is the same hog.
    await c.kubectl(["delete", "pod", "-n", "batch", hog.metadata.name, "--wait=false"], "scarlet");
    await sleep(500);
    expect(c.fault(id)?.cured).toBe(false);

    await c.kubectl(["scale", "-n", "batch", "deployment/report-gen", "--replicas=0"], "scarlet");
    const cured = await waitFor("noisy-neighbour cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined), 20_000);
    expect(cured.curedBy).toBe("system:serviceaccount:autodevops:scarlet");
    await waitFor("node-c MemoryPressure=False", () => condition(node, "MemoryPressure") === "False", 10_000);

    // Cured faults keep what was done; put report-gen back for the next test.
    c.registry.clear(id);
    await c.kubectl(["rollout", "undo", "-n", "batch", "deployment/report-gen"]);
    await c.kubectl(["scale", "-n", "batch", "deployment/report-gen", "--replicas=1"]);
    removeEvicted();
    await waitFor("report-gen back", () => c.rolledOut("report-gen", "batch") && template() === before, 20_000);
  }, 60_000);

  it("is cured by a memory limit once the unbounded pod is gone, and undo takes an uncured one back", async () => {
    const node = "node-a";
    const id = c.inject({ kind: "noisy-neighbour", namespace: "batch", target: node, params: { workload: "report-gen", memoryMi: 14_000 } });
    const hog = await waitFor("report-gen running unbounded on node-a", () => culprit(node), 20_000);
    await waitFor("node-a MemoryPressure=True", () => condition(node, "MemoryPressure") === "True", 10_000);
    // The taint follows the condition: until it is on, a limited pod could still land on node-a.
    const tainted = () => ((c.store.get("nodes", undefined, node)?.spec?.taints ?? []) as { key: string }[]).some((t) => t.key === "node.kubernetes.io/memory-pressure");
    await waitFor("node-a tainted memory-pressure", tainted, 10_000);

    await c.kubectl(["set", "resources", "-n", "batch", "deployment/report-gen", "--limits=memory=1Gi"]);
    await sleep(500);
    // The limit alone cures nothing while the unbounded pod still runs on the node (read at one
    // instant: the rollout may already have replaced it on a loaded machine).
    if (culprit(node)) expect(c.fault(id)?.cured).toBe(false);
    await c.kubectl(["delete", "pod", "-n", "batch", hog.metadata.name, "--wait=false", "--ignore-not-found"]);
    const cured = await waitFor("noisy-neighbour cured by the limit", () => (c.fault(id)?.cured ? c.fault(id) : undefined), 20_000);
    expect(cured.curedBy).toBe("admin");
    c.registry.clear(id);
    await c.kubectl(["rollout", "undo", "-n", "batch", "deployment/report-gen"]);
    removeEvicted();
    await waitFor("report-gen rolled out", () => c.rolledOut("report-gen", "batch"), 20_000);

    const before = template();
    const again = c.inject({ kind: "noisy-neighbour", target: "node-b" });
    expect(template()).not.toBe(before);
    c.registry.clear(again);
    expect(template()).toBe(before);
    expect(c.nodeHealth.memoryHog("node-b")).toBeUndefined();
  }, 60_000);
});

describe("rogue-pod", () => {
  it("runs an ownerless miner on the node pinning its CPU; cordoning does not cure, deleting the pod does", async () => {
    const node = "node-a";
    const id = c.inject({ kind: "rogue-pod", target: node });
    const created = c.mutations.since().at(-1);
    expect(created).toMatchObject({ user: "system:serviceaccount:dev:default", verb: "create", resource: "pods", namespace: "dev" });
    const name = created?.name ?? "";
    const pod = await waitFor("the rogue pod Running", () => pods().find((p) => p.metadata.name === name && p.status?.phase === "Running"), 20_000);
    expect(pod.spec?.nodeName).toBe(node);
    expect(pod.metadata.ownerReferences ?? []).toEqual([]);
    expect(pod.spec?.containers?.[0]?.image).toBe(ROGUE_IMAGE);
    expect(pod.spec?.containers?.[0]?.resources).toBeUndefined();
    expect((await events("dev")).some((e) => e.reason === "Pulling" && e.message.includes("docker.minerhub.example"))).toBe(true);
    await waitFor("connections to the pool in its logs", () => (c.logs.read("dev", name, "kworkerd") ?? []).some((l) => l.text.includes(POOL)));

    // cAdvisor: every core of the node, unthrottled (no limit).
    const cpu = () => c.metric("container_cpu_usage_seconds_total", { namespace: "dev", pod: name })[0]?.value ?? 0;
    const t0 = Date.now();
    const v0 = cpu();
    await sleep(1_000);
    expect((cpu() - v0) / ((Date.now() - t0) / 1000)).toBeGreaterThan(3);

    await c.kubectl(["cordon", node], "scarlet");
    await sleep(300);
    expect(c.fault(id)?.cured).toBe(false);
    await c.kubectl(["uncordon", node]);

    await c.kubectl(["delete", "pod", "-n", "dev", name, "--wait=false"]);
    const cured = await waitFor("rogue-pod cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe("admin");
  }, 40_000);

  it("takes the pod away when cleared uncured, and writes params.message as its log line", async () => {
    const id = c.inject({ kind: "rogue-pod", namespace: "dev", target: "node-b", params: { message: "miner: connected to pool", by: "mallory" } });
    const name = c.mutations.since().at(-1)?.name ?? "";
    expect(c.mutations.since().at(-1)?.user).toBe("mallory");
    await waitFor("the given line in its logs", () => (c.logs.read("dev", name, "kworkerd") ?? []).some((l) => l.text === "miner: connected to pool"), 20_000);
    c.registry.clear(id);
    await waitFor("the rogue pod gone", () => !c.store.get("pods", "dev", name));
  }, 30_000);
});

describe("the six kinds through the control API and CLI arguments", () => {
  const post = async (body: unknown) => {
    const res = await fetch(`${base}/sandbox/faults`, { method: "POST", body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { id?: string; error?: string } };
  };
  const cli = (...args: string[]) => {
    const parsed = parseCli(["fault", ...args]);
    if (typeof parsed === "string" || parsed.cmd !== "fault") throw new Error(String(parsed));
    return parsed.body;
  };
  const snapshot = () =>
    JSON.stringify({
      deployments: c.store.list("apps/deployments").items.map((d) => [d.metadata.name, d.spec?.template, d.spec?.replicas]),
      quotas: c.store.list("resourcequotas").items.map((q) => q.metadata.name),
      policies: c.store.list("networking.k8s.io/networkpolicies").items.map((p) => p.metadata.name),
      pods: c.store.list("pods", { namespace: "dev" }).items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name),
    });

  it("injects each with 201, lists it, and DELETE restores the cluster", async () => {
    removeEvicted();
    await waitFor("estate settled", () => ["frontend", "catalog", "cart"].every((d) => c.rolledOut(d)) && c.rolledOut("report-gen", "batch"), 20_000);
    const requests = [
      cli("unschedulable", "shop/catalog", "--param", "cpu=3.9"),
      cli("disk-pressure", "shop/catalog-db", "--param", "usedFraction=0.95"),
      cli("network-policy-block", "shop/cart"),
      cli("quota-exceeded", "shop/frontend", "--param", "by=platform-bot"),
      cli("noisy-neighbour", "node-b", "--param", "memoryMi=15000"),
      cli("rogue-pod", "dev/node-c"),
    ];
    for (const body of requests) {
      const before = snapshot();
      const created = await post(body);
      expect(created, body.kind).toMatchObject({ status: 201, body: { id: expect.any(String) } });
      const listed = (await (await fetch(`${base}/sandbox/faults`)).json()) as { faults: { id: string; kind: string; cured: boolean }[] };
      expect(listed.faults).toContainEqual(expect.objectContaining({ id: created.body.id, kind: body.kind, cured: false }));
      expect((await fetch(`${base}/sandbox/faults/${created.body.id}`, { method: "DELETE" })).status).toBe(200);
      await waitFor(`${body.kind} undone`, () => snapshot() === before, 10_000);
    }
  }, 60_000);

  it("answers 400 naming what is wrong with each kind's request", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ kind: "unschedulable", namespace: "shop", target: "catalog", params: { cpu: "lots" } }, /bad params for unschedulable: cpu/],
      [{ kind: "unschedulable", namespace: "shop", target: "redis-cart" }, /needs a Deployment/],
      [{ kind: "disk-pressure", namespace: "shop", target: "frontend" }, /mounts no PersistentVolumeClaim/],
      [{ kind: "network-policy-block", namespace: "shop", target: "nope" }, /no Deployment or StatefulSet "nope"/],
      [{ kind: "quota-exceeded", namespace: "shop", target: "cart", params: { name: "Not_A_Name" } }, /bad params for quota-exceeded: name/],
      [{ kind: "noisy-neighbour", target: "node-z" }, /no node "node-z"/],
      [{ kind: "noisy-neighbour", target: "node-a", params: { workload: "ghost" } }, /no Deployment or StatefulSet "ghost" in namespace "batch"/],
      [{ kind: "rogue-pod", namespace: "nowhere", target: "node-a" }, /no namespace "nowhere"/],
      [{ kind: "rogue-pod", target: "node-a", params: { image: "not an image" } }, /bad params for rogue-pod: image/],
    ];
    for (const [body, message] of cases) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error, JSON.stringify(body)).toMatch(message);
    }
  });
});
