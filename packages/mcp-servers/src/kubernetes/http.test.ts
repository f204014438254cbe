import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Action } from "@autodevops/shared";
import { connectHttp, textOf } from "../testing/connect.js";
import { SCARLET_USER, startK8sFixture, type K8sFixture } from "./test-fixture.js";

const BIN = fileURLToPath(new URL("../../bin/autodevops-mcp-kubernetes.mjs", import.meta.url));
type Pods = { pods: Array<{ name: string; namespace: string }> };

let f: K8sFixture;
beforeAll(async () => {
  f = await startK8sFixture();
}, 120_000);
afterAll(async () => f?.sandbox.stop());

describe("the kubernetes server over Streamable HTTP", () => {
  it("serves reads, refuses an undecided write, and makes a decided one, behind a bearer token", async () => {
    const conn = await connectHttp(f.spec(), { bearerToken: "k8s-test-token" });
    try {
      const { tools } = await conn.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(
        ["cordon_node", "delete_pod", "describe", "drain_node", "get_resource", "list_clusters", "list_events", "list_namespaces", "list_nodes", "list_pods", "list_workloads", "pod_logs", "resource_usage", "rollback", "rollout_history", "rollout_restart", "scale", "set_resources"].sort(),
      );
      const writes = tools.filter((t) => t.annotations?.destructiveHint).map((t) => t.name);
      expect(writes.sort()).toEqual(["cordon_node", "delete_pod", "drain_node", "rollback", "rollout_restart", "scale", "set_resources"]);
      expect(tools.find((t) => t.name === "scale")?.inputSchema.properties).toHaveProperty("decision");

      const pods = await conn.client.callTool({ name: "list_pods", arguments: { cluster: "staging", namespace: "shop" } });
      expect((pods.structuredContent as Pods).pods.length).toBeGreaterThan(0);

      const a: Action = { kind: "rollout-restart", cluster: "staging", namespace: "shop", target: "cart", params: { workloadKind: "Deployment" } };
      const since = new Date();
      const refused = await conn.client.callTool({ name: "rollout_restart", arguments: a });
      expect(refused.isError).toBe(true);
      expect(f.changes(since)).toEqual([]);
      const done = await conn.client.callTool({ name: "rollout_restart", arguments: { ...a, decision: f.sign(a) } });
      expect(done.isError).toBeFalsy();
      expect(textOf(done)).toMatch(/\+ +kubectl\.kubernetes\.io\/restartedAt: /);
      expect(f.changes(since)).toEqual([expect.objectContaining({ cluster: "staging", resource: "deployments", name: "cart", action: "rollout-restart", user: SCARLET_USER })]);
    } finally {
      await conn.close();
    }
  });
});

/** The binary's environment: the sandbox kubeconfig, Scarlet's contexts, the policy key as a file path. */
async function binaryEnv(): Promise<NodeJS.ProcessEnv> {
  const keyFile = path.join(f.dataDir, "policy.pub.pem");
  await writeFile(keyFile, f.keys.publicKeyPem);
  return { ...process.env, KUBECONFIG: f.sandbox.kubeconfig, MCP_K8S_CONTEXTS: "prod=scarlet@prod,staging=scarlet@staging", POLICY_PUBLIC_KEY: keyFile, LOG_LEVEL: "info" };
}

/** Waits for the JSON log line that carries the listening URL (port 0: the OS picks the port). */
function listeningUrl(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => reject(new Error(`no "MCP server listening" line in: ${buffer}`)), 60_000);
    child.stderr.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split("\n")) {
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === "MCP server listening" && entry.url) {
            clearTimeout(timer);
            resolve(entry.url);
          }
        } catch {
          // not a whole JSON line yet
        }
      }
    });
    child.once("exit", (code) => reject(new Error(`the server exited (${code}): ${buffer}`)));
  });
}

describe("the autodevops-mcp-kubernetes binary", () => {
  it("serves list_pods over HTTP on the port it logs", async () => {
    const child = spawn(process.execPath, [BIN, "--http", "127.0.0.1:0"], { env: await binaryEnv() });
    try {
      const url = await listeningUrl(child);
      const client = new Client({ name: "binary-test", version: "0.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      const r = await client.callTool({ name: "list_pods", arguments: { cluster: "prod", namespace: "shop" } });
      expect(r.isError).toBeFalsy();
      expect((r.structuredContent as Pods).pods.some((p) => p.name.startsWith("cart-"))).toBe(true);
      await client.close();
    } finally {
      child.kill("SIGTERM");
    }
  }, 90_000);

  it("serves over stdio, and names a bad MCP_K8S_CONTEXTS before serving", async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN], env: (await binaryEnv()) as Record<string, string>, stderr: "pipe" });
    const client = new Client({ name: "binary-test", version: "0.0.0" });
    await client.connect(transport);
    try {
      const r = await client.callTool({ name: "list_clusters", arguments: {} });
      expect(textOf(r)).toMatch(/prod \(scarlet@prod\) reachable/);
    } finally {
      await client.close();
    }
    const bad = spawn(process.execPath, [BIN], { env: { ...(await binaryEnv()), MCP_K8S_CONTEXTS: "prod=nobody@prod" } });
    let stderr = "";
    bad.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => bad.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/cluster "prod" names context "nobody@prod", which the kubeconfig does not have/);
  }, 90_000);
});
