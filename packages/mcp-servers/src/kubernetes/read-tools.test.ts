import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectInMemory, textOf } from "../testing/connect.js";
import { eventually, startK8sFixture, type K8sFixture } from "./test-fixture.js";

type Pod = { name: string; status: string; phase: string; ready: string; restarts: number; lastTermination?: string };
type Structured<T> = { structuredContent?: T; isError?: boolean };

let f: K8sFixture;
let conn: Awaited<ReturnType<typeof connectInMemory>>;
const call = async <T = Record<string, unknown>>(name: string, args: Record<string, unknown>) => (await conn.client.callTool({ name, arguments: args })) as Structured<T> & { content: unknown[] };
const data = async <T>(name: string, args: Record<string, unknown>): Promise<T> => {
  const r = await call<T>(name, args);
  if (r.isError) throw new Error(`${name} failed: ${textOf(r)}`);
  return r.structuredContent as T;
};

beforeAll(async () => {
  f = await startK8sFixture();
  conn = await connectInMemory(f.spec());
  // The estate's pods start within seconds; the fault needs running pods to crash.
  await eventually(async () => (await data<{ pods: Pod[] }>("list_pods", { cluster: "prod", namespace: "shop", labelSelector: "app=cart" })).pods.filter((p) => p.status === "Running").length === 2, "cart running");
}, 120_000);
afterAll(async () => {
  await conn?.close();
  await f?.sandbox.stop();
});

describe("kubernetes read tools against the sandbox", () => {
  it("lists both clusters through the scarlet contexts, reachable", async () => {
    const r = await data<{ clusters: Array<{ name: string; context: string; reachable: boolean }> }>("list_clusters", {});
    expect(r.clusters).toEqual([
      expect.objectContaining({ name: "prod", context: "scarlet@prod", reachable: true }),
      expect.objectContaining({ name: "staging", context: "scarlet@staging", reachable: true }),
    ]);
  });

  it("lists the estate's namespaces and workloads with ready/desired and images", async () => {
    const ns = await data<{ namespaces: Array<{ name: string }> }>("list_namespaces", { cluster: "prod" });
    expect(ns.namespaces.map((n) => n.name)).toEqual(expect.arrayContaining(["shop", "platform", "batch", "dev", "kube-system"]));
    const w = await data<{ workloads: Array<{ kind: string; name: string; ready: string; images: string[] }> }>("list_workloads", { cluster: "prod", namespace: "shop" });
    expect(w.workloads.map((x) => `${x.kind}/${x.name}`).sort()).toEqual(["Deployment/cart", "Deployment/catalog", "Deployment/checkout", "Deployment/frontend", "Deployment/payments", "StatefulSet/catalog-db", "StatefulSet/redis-cart"]);
    expect(w.workloads.find((x) => x.name === "frontend")?.ready).toMatch(/^\d\/3$/);
    expect(w.workloads.find((x) => x.name === "cart")?.images[0]).toMatch(/cart:/);
    const staging = await data<{ workloads: Array<{ name: string; ready: string }> }>("list_workloads", { cluster: "staging", namespace: "shop", kind: "Deployment" });
    expect(staging.workloads.find((x) => x.name === "frontend")?.ready).toMatch(/\/1$/);
  });

  it("shows a crashloop fault as CrashLoopBackOff pods whose previous run's log has the panic", async () => {
    const injected = f.sandbox.faults.inject({ kind: "crashloop", cluster: "prod", namespace: "shop", target: "cart", params: { message: "panic: nil map in basket" } });
    expect(injected.ok).toBe(true);
    const crashing = await eventually(async () => {
      const r = await data<{ pods: Pod[] }>("list_pods", { cluster: "prod", namespace: "shop", labelSelector: "app=cart", unhealthyOnly: true });
      return r.pods.find((p) => p.status === "CrashLoopBackOff" && p.restarts > 0);
    }, "a CrashLoopBackOff cart pod");
    expect(crashing.lastTermination).toBe("Error");
    const logs = await data<{ log: string; container: string; previous: boolean }>("pod_logs", { cluster: "prod", namespace: "shop", pod: crashing.name, previous: true, tailLines: 50 });
    expect(logs).toMatchObject({ container: "cart", previous: true });
    expect(logs.log).toContain("panic: nil map in basket");
    const described = await data<{ details: { containers: Array<{ lastState?: string; restarts: number }> }; events: Array<{ reason: string }> }>("describe", { cluster: "prod", kind: "Pod", name: crashing.name, namespace: "shop" });
    expect(described.details.containers[0]?.lastState).toMatch(/^Terminated: Error \(exit 1\)/);
    expect(described.events.map((e) => e.reason)).toContain("BackOff");
    const warnings = await data<{ events: Array<{ type: string; reason: string; object: string }> }>("list_events", { cluster: "prod", namespace: "shop", kind: "Pod", name: crashing.name, warningsOnly: true });
    expect(warnings.events.length).toBeGreaterThan(0);
    expect(warnings.events.every((e) => e.type === "Warning" && e.object === `Pod/${crashing.name}`)).toBe(true);
  }, 90_000);

  it("lists a Deployment's revisions with change-cause and image, marking the current one", async () => {
    const h = await data<{ currentRevision: number; revisions: Array<{ revision: number; changeCause?: string; images: string[]; current: boolean }> }>("rollout_history", { cluster: "prod", namespace: "shop", deployment: "checkout" });
    expect(h.revisions.length).toBeGreaterThanOrEqual(2);
    expect(h.revisions.filter((r) => r.current)).toEqual([expect.objectContaining({ revision: h.currentRevision })]);
    expect(h.revisions.every((r) => r.changeCause && r.images.length === 1)).toBe(true);
  });

  it("describes nodes and a Deployment, and reports requests and limits without inventing usage", async () => {
    const nodes = await data<{ nodes: Array<{ name: string; ready: string; unschedulable: boolean; capacity: Record<string, string>; pods: number }> }>("list_nodes", { cluster: "prod" });
    expect(nodes.nodes.map((n) => n.name)).toEqual(["node-a", "node-b", "node-c"]);
    expect(nodes.nodes[0]).toMatchObject({ ready: "True", unschedulable: false, capacity: { cpu: "4" } });
    const node = await data<{ details: { allocatedRequests: { cpu: string }; pods: string[] } }>("describe", { cluster: "prod", kind: "Node", name: "node-a" });
    expect(node.details.pods.length).toBeGreaterThan(0);
    const dep = await data<{ details: { containers: Array<{ limits?: Record<string, string> }>; replicaSets: Array<{ current: boolean }> } }>("describe", { cluster: "prod", kind: "Deployment", name: "payments", namespace: "shop" });
    expect(dep.details.containers[0]?.limits?.memory).toBeDefined();
    expect(dep.details.replicaSets.some((r) => r.current)).toBe(true);
    const usage = await data<{ usageSource: string; note: string; pods: Array<{ containers: Array<{ requests: { cpu?: string } }> }> }>("resource_usage", { cluster: "prod", namespace: "shop", labelSelector: "app=payments" });
    expect(usage.usageSource).toBe("none");
    expect(usage.note).toMatch(/prometheus/);
    expect(usage.pods[0]?.containers[0]?.requests.cpu).toBeDefined();
  });

  it("gets any object as YAML", async () => {
    const r = await data<{ yaml: string }>("get_resource", { cluster: "prod", apiVersion: "v1", kind: "ConfigMap", name: "cart-config", namespace: "shop" });
    expect(r.yaml).toMatch(/^apiVersion: v1\nkind: ConfigMap\n/);
    expect(r.yaml).not.toContain("managedFields");
  });

  it("answers malformed calls with isError saying what to fix", async () => {
    const badCluster = await call("list_pods", { cluster: "nowhere" });
    expect(badCluster.isError).toBe(true);
    expect(textOf(badCluster)).toMatch(/unknown cluster "nowhere": use one of prod, staging/);
    const badKind = await call("get_resource", { cluster: "prod", apiVersion: "v1", kind: "pods", name: "x" });
    expect(badKind.isError).toBe(true);
    expect(textOf(badKind)).toMatch(/kind/);
    const missing = await call("pod_logs", { cluster: "prod", namespace: "shop", pod: "no-such-pod" });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/HTTP 404.*not found/);
    const tooMany = await call("pod_logs", { cluster: "prod", namespace: "shop", pod: "x", tailLines: 5000 });
    expect(tooMany.isError).toBe(true);
    expect(textOf(tooMany)).toMatch(/tailLines/);
  });
});

describe("Secrets through the kubernetes tools", () => {
  it("shows a Secret's keys but never its values, to an identity that may read it", async () => {
    const value = "hunter2-very-secret";
    await f.adminCore.createNamespacedSecret({ namespace: "shop", body: { metadata: { name: "db-credentials", annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ stringData: { password: value } }) } }, stringData: { password: value, user: "cart" } } });
    const admin = await connectInMemory(f.spec({ contexts: { prod: "prod" } }));
    try {
      const r = await admin.client.callTool({ name: "get_resource", arguments: { cluster: "prod", apiVersion: "v1", kind: "Secret", name: "db-credentials", namespace: "shop" } });
      expect(r.isError).toBeFalsy();
      const everything = JSON.stringify(r);
      expect(everything).toContain("password");
      expect(everything).not.toContain(value);
      expect(everything).not.toContain(Buffer.from(value).toString("base64"));
      expect(everything).not.toContain(Buffer.from("cart").toString("base64"));
      // Scarlet's identity may not read Secrets at all: a clear refusal, no data.
      const scarlet = await call("get_resource", { cluster: "prod", apiVersion: "v1", kind: "Secret", name: "db-credentials", namespace: "shop" });
      expect(scarlet.isError).toBe(true);
      expect(textOf(scarlet)).toMatch(/HTTP 403/);
      expect(JSON.stringify(scarlet)).not.toContain(Buffer.from(value).toString("base64"));
    } finally {
      await admin.close();
    }
  });
});
