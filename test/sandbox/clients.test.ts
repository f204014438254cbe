import { fileURLToPath } from "node:url";
import * as k8s from "@kubernetes/client-node";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSandboxFixture } from "./sandbox-fixture.js";

let f: Awaited<ReturnType<typeof startSandboxFixture>>;
beforeAll(async () => {
  f = await startSandboxFixture();
});
afterAll(async () => {
  await f?.sandbox.stop();
});

const kubeClients = () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(f.sandbox.kubeconfig);
  return { kc, core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) };
};

async function runningPod(app: string): Promise<string> {
  const { core } = kubeClients();
  return eventually(async () => {
    const pods = await core.listNamespacedPod({ namespace: "shop", labelSelector: `app=${app}` });
    return pods.items.find((p) => p.status?.phase === "Running")?.metadata?.name;
  }, `a running ${app} pod`);
}

describe("the sandbox with @kubernetes/client-node", () => {
  it("lists, watches a rollout's pods appear, patches and reads a log", async () => {
    const { kc, core, apps } = kubeClients();
    const name = await runningPod("checkout");
    const log = await eventually(async () => (await core.readNamespacedPodLog({ name, namespace: "shop", tailLines: 3 })) || undefined, "log lines");
    expect(log.split("\n").filter(Boolean).length).toBeGreaterThan(0);

    const list = await core.listNamespacedPod({ namespace: "shop", labelSelector: "app=cart" });
    const added: string[] = [];
    const req = await new k8s.Watch(kc).watch(
      "/api/v1/namespaces/shop/pods",
      { labelSelector: "app=cart", resourceVersion: list.metadata?.resourceVersion },
      (type: string, pod: k8s.V1Pod) => {
        if (type === "ADDED") added.push(pod.metadata?.name ?? "");
      },
      () => undefined,
    );
    await apps.patchNamespacedDeployment(
      { name: "cart", namespace: "shop", body: { spec: { replicas: 3 } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await eventually(() => added.length >= 1 || undefined, "an ADDED event for the new cart pod");
    req.abort();
  });
});

describe("the sandbox with kubernetes-mcp-server, a third-party MCP peer", () => {
  it("lists pods and reads a pod's log through the sandbox kubeconfig", async () => {
    const name = await runningPod("frontend");
    const transport = new StdioClientTransport({
      command: fileURLToPath(new URL("../../node_modules/.bin/kubernetes-mcp-server", import.meta.url)),
      args: ["--kubeconfig", f.sandbox.kubeconfig, "--read-only"],
      stderr: "pipe",
    });
    const client = new Client({ name: "sandbox-test", version: "1.0.0" });
    await client.connect(transport);
    try {
      const listed = (await client.callTool({ name: "pods_list_in_namespace", arguments: { namespace: "shop" } })) as { content: Array<{ text: string }> };
      expect(listed.content[0]?.text).toContain(name);
      const logged = (await client.callTool({ name: "pods_log", arguments: { namespace: "shop", name } })) as { content: Array<{ text: string }>; isError?: boolean };
      expect(logged.isError ?? false).toBe(false);
      expect(logged.content[0]?.text.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });
});

describe("the sandbox control API", () => {
  it("describes the clusters, records mutations, and resets to the baseline", async () => {
    const clusters = (await (await fetch(`${f.sandbox.controlUrl}/sandbox/clusters`)).json()) as { kubeconfig: string; clusters: Array<{ name: string; context: string; apiServer: string }> };
    expect(clusters.kubeconfig).toBe(f.sandbox.kubeconfig);
    expect(clusters.clusters.map((c) => c.name)).toEqual(["prod", "staging"]);

    await f.kubectl(["--context", "staging", "scale", "deploy/payments", "-n", "shop", "--replicas=0"]);
    const since = new Date(Date.now() - 60_000).toISOString();
    const mutations = (await (await fetch(`${f.sandbox.controlUrl}/sandbox/mutations?since=${since}`)).json()) as { mutations: Array<{ cluster: string; name: string; action: string | null; user: string }> };
    expect(mutations.mutations).toContainEqual(expect.objectContaining({ cluster: "staging", name: "payments", action: "scale", user: "admin" }));

    expect((await fetch(`${f.sandbox.controlUrl}/sandbox/reset`, { method: "POST" })).status).toBe(200);
    expect(await f.kubectl(["--context", "staging", "get", "deploy/payments", "-n", "shop", "-o", "jsonpath={.spec.replicas}"])).toBe("1");
    const after = (await (await fetch(`${f.sandbox.controlUrl}/sandbox/mutations`)).json()) as { mutations: unknown[] };
    expect(after.mutations).toEqual([]);
  });
});
