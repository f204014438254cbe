import https from "node:https";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiFixture, type ApiFixture } from "../testing/api-fixture.js";

let f: ApiFixture;

const deployment = (image: string, replicas = 2) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "checkout", namespace: "shop", annotations: { "kubernetes.io/change-cause": `deploy ${image}` } },
  spec: {
    replicas,
    selector: { matchLabels: { app: "checkout" } },
    template: { metadata: { labels: { app: "checkout" } }, spec: { containers: [{ name: "checkout", image, resources: { limits: { memory: "256Mi" } } }] } },
  },
});

/** A raw HTTPS request to the API server, for what clients do not send on their own. */
function raw(method: string, path: string, opts: { token?: string; body?: string; contentType?: string } = {}) {
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = https.request(
      `${f.url}${path}`,
      {
        method,
        ca: f.tls.cert,
        headers: {
          ...(opts.token !== undefined ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.body !== undefined ? { "content-type": opts.contentType ?? "application/json" } : {}),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

beforeAll(async () => {
  f = await startApiFixture();
  for (const ns of ["default", "shop", "dev"]) f.store.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  f.store.create("nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "node-a" }, spec: {}, status: { conditions: [{ type: "Ready", status: "True" }] } });
  f.store.create("pods", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web-1", namespace: "shop", labels: { app: "web" } },
    spec: { nodeName: "node-a", containers: [{ name: "web", image: "web:1" }] },
    status: { phase: "Running", containerStatuses: [{ name: "web", ready: true, restartCount: 0, state: { running: {} } }] },
  });
  f.store.create("secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "gateway", namespace: "shop" }, data: { key: "c2VjcmV0" } });
  for (const line of ["starting web", "GET / 200", "GET /cart 500"]) f.logs.append("shop", "web-1", "web", { at: new Date(), text: line });
});
afterAll(async () => {
  await f?.close();
});

describe("the sandbox API server with kubectl", () => {
  it("lists pods in every namespace with kubectl's columns", async () => {
    const out = await f.kubectl(["get", "pods", "-A"]);
    expect(out).toMatch(/NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(out).toMatch(/shop\s+web-1\s+1\/1\s+Running\s+0/);
  });

  it("serves logs with tail", async () => {
    expect(await f.kubectl(["logs", "-n", "shop", "web-1", "--tail=2"])).toBe("GET / 200\nGET /cart 500\n");
  });

  it("creates with apply, reports unchanged on a server dry run, and records only real changes", async () => {
    const before = f.mutations.since().length;
    expect(await f.kubectl(["apply", "-f", "-"], { input: JSON.stringify(deployment("shop/checkout:1.0")) })).toMatch(/created/);
    expect(await f.kubectl(["apply", "--dry-run=server", "-f", "-"], { input: JSON.stringify(deployment("shop/checkout:2.0")) })).toMatch(/configured \(server dry run\)/);
    expect(f.store.get("apps/deployments", "shop", "checkout")?.spec?.template).toMatchObject({ spec: { containers: [{ image: "shop/checkout:1.0" }] } });
    const added = f.mutations.since().slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ verb: "create", resource: "deployments", namespace: "shop", name: "checkout", user: "admin", action: null });
  });

  it("serves RBAC objects and autoscaling/v2 HorizontalPodAutoscalers: discovered, dry-run applied without storing, then created", async () => {
    const resources = await f.kubectl(["api-resources", "--no-headers"]);
    expect(resources).toMatch(/clusterroles\s+rbac\.authorization\.k8s\.io\/v1\s+false\s+ClusterRole/);
    expect(resources).toMatch(/rolebindings\s+rbac\.authorization\.k8s\.io\/v1\s+true\s+RoleBinding/);
    expect(resources).toMatch(/horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true\s+HorizontalPodAutoscaler/);
    const objects = [
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "reader" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }] },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "leases", namespace: "shop" }, rules: [{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["update"] }] },
      {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "checkout", namespace: "shop" },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "checkout" }, minReplicas: 2, maxReplicas: 4 },
      },
    ];
    const input = objects.map((o) => JSON.stringify(o)).join("\n");
    expect(await f.kubectl(["apply", "--dry-run=server", "-f", "-"], { input })).toMatch(/horizontalpodautoscaler.autoscaling\/checkout created \(server dry run\)/);
    expect(f.store.get("rbac.authorization.k8s.io/clusterroles", undefined, "reader")).toBeUndefined();
    expect(await f.kubectl(["apply", "-f", "-"], { input })).toMatch(/role.rbac.authorization.k8s.io\/leases created/);
    expect(f.store.get("autoscaling/horizontalpodautoscalers", "shop", "checkout")?.spec).toMatchObject({ maxReplicas: 4 });
    expect(await f.kubectl(["get", "--raw", "/apis/autoscaling/v1/namespaces/shop/horizontalpodautoscalers"]).catch((e: Error) => e.message)).toMatch(/NotFound|not found/i);
  });

  it("reads scale, restart, set resources and annotate as the actions they are", async () => {
    const before = f.mutations.since().length;
    await f.kubectl(["scale", "deploy/checkout", "-n", "shop", "--replicas=4"]);
    await f.kubectl(["rollout", "restart", "deploy/checkout", "-n", "shop"]);
    await f.kubectl(["set", "resources", "deploy/checkout", "-n", "shop", "--limits=memory=512Mi"]);
    await f.kubectl(["annotate", "deploy", "checkout", "-n", "shop", "team=payments", "--overwrite"]);
    const added = f.mutations.since().slice(before);
    expect(added.map((m) => [m.verb, m.subresource ?? "", m.action])).toEqual([
      ["patch", "scale", "scale"],
      ["patch", "", "rollout-restart"],
      ["patch", "", "set-resources"],
      ["patch", "", null],
    ]);
    const d = f.store.get("apps/deployments", "shop", "checkout");
    expect(d?.spec?.replicas).toBe(4);
    expect(d?.metadata.annotations?.team).toBe("payments");
    expect(d?.metadata.generation).toBe(4);
  });

  it("reads a template set back to an earlier revision's as a rollback", async () => {
    const d = f.store.get("apps/deployments", "shop", "checkout");
    if (!d) throw new Error("no deployment");
    // The earlier revision's ReplicaSet, as the deployment controller would have kept it.
    f.store.create("apps/replicasets", {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "checkout-abc", namespace: "shop", ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "checkout", uid: d.metadata.uid, controller: true }] },
      spec: { replicas: 0, selector: { matchLabels: { app: "checkout" } }, template: deployment("shop/checkout:1.0").spec.template },
    });
    await f.kubectl(["patch", "deploy", "checkout", "-n", "shop", "--type=json", "-p", JSON.stringify([{ op: "replace", path: "/spec/template", value: deployment("shop/checkout:1.0").spec.template }])]);
    expect(f.mutations.since().at(-1)).toMatchObject({ verb: "patch", action: "rollback" });
  });

  it("cordons a node and evicts a pod the way drain does", async () => {
    await f.kubectl(["cordon", "node-a"]);
    expect(f.mutations.since().at(-1)).toMatchObject({ resource: "nodes", action: "cordon-node" });
    expect(f.store.get("nodes", undefined, "node-a")?.spec?.unschedulable).toBe(true);
    const status = await raw("POST", "/api/v1/namespaces/shop/pods/web-1/eviction", {
      token: f.tokens.admin,
      body: JSON.stringify({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "web-1", namespace: "shop" } }),
    });
    expect(status.status).toBe(201);
    expect(f.mutations.since().at(-1)).toMatchObject({ resource: "pods", subresource: "eviction", action: "drain-node" });
    expect(f.store.get("pods", "shop", "web-1")?.metadata.deletionTimestamp).toBeDefined();
  });
});

describe("the sandbox API server refuses what a real one refuses", () => {
  it("answers 401 to a missing or unknown token, and kubectl says so", async () => {
    expect((await raw("GET", "/api/v1/pods")).status).toBe(401);
    expect((await raw("GET", "/api/v1/pods", { token: "nope" })).body).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
    await expect(f.kubectl(["--context", "stranger@prod", "get", "pods"])).rejects.toThrow(/You must be logged in to the server/);
  });

  it("forbids scarlet Secrets and namespace deletion, with the real message", async () => {
    await expect(f.kubectl(["--context", "scarlet@prod", "get", "secrets", "-n", "shop"])).rejects.toThrow(
      /secrets is forbidden: User "system:serviceaccount:autodevops:scarlet" cannot list resource "secrets" in API group "" in the namespace "shop"/,
    );
    await expect(f.kubectl(["--context", "scarlet@prod", "delete", "namespace", "dev"])).rejects.toThrow(/cannot delete resource "namespaces"/);
    expect(f.store.get("namespaces", undefined, "dev")).toBeDefined();
    expect(await f.kubectl(["--context", "scarlet@prod", "get", "pods", "-n", "shop", "-o", "name"])).toContain("pod/web-1");
  });

  it("answers 409 Conflict to an update with a stale resourceVersion and keeps the object", async () => {
    const d = f.store.get("apps/deployments", "shop", "checkout");
    if (!d) throw new Error("no deployment");
    const stale = { ...d, metadata: { ...d.metadata, resourceVersion: "1" }, spec: { ...d.spec, replicas: 9 } };
    const r = await raw("PUT", "/apis/apps/v1/namespaces/shop/deployments/checkout", { token: f.tokens.admin, body: JSON.stringify(stale) });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ reason: "Conflict", message: expect.stringMatching(/the object has been modified/) });
    expect(f.store.get("apps/deployments", "shop", "checkout")?.spec?.replicas).toBe(d.spec?.replicas);
  });

  it("rejects malformed and invalid manifests with 400 and 422 and stores nothing", async () => {
    const garbled = await raw("POST", "/apis/apps/v1/namespaces/shop/deployments", { token: f.tokens.admin, body: "{not json" });
    expect(garbled).toMatchObject({ status: 400, body: { reason: "BadRequest" } });
    const bad = deployment("x:1");
    const invalid = await raw("POST", "/apis/apps/v1/namespaces/shop/deployments", {
      token: f.tokens.admin,
      body: JSON.stringify({ ...bad, metadata: { name: "Bad_Name", namespace: "shop" }, spec: { ...bad.spec, selector: { matchLabels: { app: "other" } } } }),
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ reason: "Invalid", kind: "Status" });
    expect(String(invalid.body.message)).toMatch(/metadata.name/);
    expect(String(invalid.body.message)).toMatch(/selector` does not match template `labels`/);
    await expect(f.kubectl(["apply", "-f", "-"], { input: "kind: Deployment\napiVersion: apps/v1\nmetadata: {name: x}\nspec: [1" })).rejects.toThrow(/error/i);
    expect(f.store.list("apps/deployments").items.map((o) => o.metadata.name)).toEqual(["checkout"]);
  });

  it("answers 404 for unknown resources and missing objects, and 415 for an unknown patch type", async () => {
    expect((await raw("GET", "/apis/apps/v1/namespaces/shop/widgets", { token: f.tokens.admin })).status).toBe(404);
    await expect(f.kubectl(["get", "widgets"])).rejects.toThrow(/doesn't have a resource type "widgets"/);
    await expect(f.kubectl(["get", "pod", "nope", "-n", "shop"])).rejects.toThrow(/pods "nope" not found/);
    const r = await raw("PATCH", "/apis/apps/v1/namespaces/shop/deployments/checkout", { token: f.tokens.admin, body: "{}", contentType: "text/plain" });
    expect(r.status).toBe(415);
  });
});

describe("the sandbox API server with @kubernetes/client-node", () => {
  function clients() {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(f.kubeconfig);
    return { kc, core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) };
  }

  it("lists with a label selector and patches with a merge patch", async () => {
    const { core, apps } = clients();
    const pods = await core.listNamespacedPod({ namespace: "shop", labelSelector: "app=web" });
    expect(pods.items.map((p) => p.metadata?.name)).toEqual(["web-1"]);
    const patched = await apps.patchNamespacedDeployment(
      { name: "checkout", namespace: "shop", body: { metadata: { labels: { tier: "backend" } } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.labels).toEqual({ tier: "backend" });
  });

  it("watches from a resourceVersion and sees ADDED, MODIFIED and DELETED in order", async () => {
    const { kc, core } = clients();
    const list = await core.listNamespacedConfigMap({ namespace: "shop" });
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      void new k8s.Watch(kc).watch(
        "/api/v1/namespaces/shop/configmaps",
        { resourceVersion: list.metadata?.resourceVersion },
        (type: string, obj: k8s.V1ConfigMap) => {
          seen.push(`${type} ${obj.metadata?.name} ${obj.data?.k ?? ""}`);
          if (type === "DELETED") resolve();
        },
        () => undefined,
      );
    });
    await core.createNamespacedConfigMap({ namespace: "shop", body: { metadata: { name: "cfg" }, data: { k: "1" } } });
    await core.patchNamespacedConfigMap({ name: "cfg", namespace: "shop", body: { data: { k: "2" } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ name: "cfg", namespace: "shop" });
    await done;
    expect(seen).toEqual(["ADDED cfg 1", "MODIFIED cfg 2", "DELETED cfg 2"]);
  });

  it("reads a pod's log", async () => {
    const { core } = clients();
    const text = await core.readNamespacedPodLog({ name: "web-1", namespace: "shop", tailLines: 1 });
    expect(text).toBe("GET /cart 500\n");
  });
});
