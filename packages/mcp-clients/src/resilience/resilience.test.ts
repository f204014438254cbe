import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { generatePolicyKeys, signDecision } from "@autodevops/shared";
import type { McpServersConfig, ServerConfig } from "../config/servers-config.js";
import { clusterSpec, flakyProxy, memoryAudit, serveSpec, silentLog, type CallLog } from "../testing/test-servers.js";
import { createMcpToolbox, type McpToolbox } from "../toolbox.js";

const keys = generatePolicyKeys();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function toolbox(servers: Record<string, ServerConfig>, extra: { retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number }; defaultTimeoutMs?: number } = {}) {
  const audit = memoryAudit();
  const config: McpServersConfig = { servers, skipped: [] };
  const box: McpToolbox = await createMcpToolbox({ agent: "scarlet", config, audit, policyPublicKey: keys.publicKeyPem, log: silentLog, ...extra });
  cleanups.push(() => box.close());
  return { box, audit };
}

const httpServer = (url: string, settings: Partial<ServerConfig> = {}): ServerConfig => ({ decisionAware: true, ...settings, source: { kind: "endpoint", endpoint: { transport: "http", url } } });
const scaleArgs = { cluster: "prod", namespace: "shop", target: "cart", params: { replicas: 2 } };
const decide = () => signDecision(keys.privateKeyPem, { action: { kind: "scale", ...scaleArgs, params: { replicas: 2, workloadKind: "Deployment" } }, route: "auto" });

describe("retries", () => {
  it("retries a read through transport failures: the flaky server fails twice, then answers", async () => {
    const calls: CallLog = [];
    const upstream = await serveSpec(clusterSpec(calls));
    cleanups.push(upstream.close);
    const proxy = await flakyProxy(upstream.url, 2);
    cleanups.push(proxy.close);
    const { box, audit } = await toolbox({ flaky: httpServer(proxy.url) });

    const r = await box.call("list_pods", { cluster: "prod" });
    expect(r).toMatchObject({ ok: true, value: { structuredContent: { served: 1 } } });
    expect(proxy.toolCallsSeen()).toBe(3);
    expect(calls).toHaveLength(1);
    expect(audit.events.at(-1)?.data).toMatchObject({ outcome: "ok", attempts: 3 });
  });

  it("never retries a write: one transport failure fails it, and the server never sees it", async () => {
    const calls: CallLog = [];
    const upstream = await serveSpec(clusterSpec(calls));
    cleanups.push(upstream.close);
    const proxy = await flakyProxy(upstream.url, 2);
    cleanups.push(proxy.close);
    const { box, audit } = await toolbox({ flaky: httpServer(proxy.url) });

    const r = await box.call("scale", scaleArgs, { decision: decide() });
    expect(r).toMatchObject({ ok: false, error: { code: "unavailable" } });
    expect(proxy.toolCallsSeen()).toBe(1);
    expect(calls).toHaveLength(0);
    expect(audit.events.at(-1)?.data).toMatchObject({ tool: "scale", outcome: "error", attempts: 1 });
  });

  it("gives up on a read after its attempts and says the server is unavailable", async () => {
    const upstream = await serveSpec(clusterSpec([]));
    cleanups.push(upstream.close);
    const proxy = await flakyProxy(upstream.url, 10);
    cleanups.push(proxy.close);
    const { box } = await toolbox({ flaky: httpServer(proxy.url) }, { retry: { attempts: 3, baseDelayMs: 10 } });
    expect(await box.call("list_pods", { cluster: "prod" })).toMatchObject({ ok: false, error: { code: "unavailable", message: expect.stringMatching(/^flaky is unavailable/) } });
    expect(proxy.toolCallsSeen()).toBe(3);
  });
});

describe("timeouts", () => {
  it("times a call out at the tool's configured limit, without retrying it", async () => {
    const calls: CallLog = [];
    const upstream = await serveSpec(clusterSpec(calls));
    cleanups.push(upstream.close);
    const { box, audit } = await toolbox({ slow: httpServer(upstream.url, { tools: { slow_query: { timeoutMs: 300 } } }) });
    const t0 = performance.now();
    const r = await box.call("slow_query", { ms: 5_000 });
    const elapsed = performance.now() - t0;
    expect(r).toMatchObject({ ok: false, error: { code: "timeout", message: "slow__slow_query timed out after 300 ms" } });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(3_000);
    expect(calls).toHaveLength(1);
    expect(audit.events.at(-1)?.data).toMatchObject({ outcome: "error", attempts: 1 });
    // The connection is still good for the next call.
    expect(await box.call("slow_query", { ms: 10 })).toMatchObject({ ok: true });
  });

  it("takes a per-call timeout over the configured one", async () => {
    const upstream = await serveSpec(clusterSpec([]));
    cleanups.push(upstream.close);
    const { box } = await toolbox({ slow: httpServer(upstream.url) }, { defaultTimeoutMs: 10_000 });
    expect(await box.call("slow_query", { ms: 2_000 }, { timeoutMs: 150 })).toMatchObject({ ok: false, error: { code: "timeout" } });
  });
});

describe("reconnects", () => {
  it("reconnects to an HTTP server restarted on the same port, retrying the read meanwhile", async () => {
    const calls: CallLog = [];
    let server = await serveSpec(clusterSpec(calls));
    const port = Number(new URL(server.url).port);
    cleanups.push(() => server.close());
    const { box } = await toolbox({ k: httpServer(server.url) }, { retry: { attempts: 6, baseDelayMs: 100, maxDelayMs: 400 } });
    expect((await box.call("list_pods", { cluster: "prod" }, { fresh: true })).ok).toBe(true);

    await server.close();
    const restarted = new Promise<void>((resolve) =>
      setTimeout(() => {
        void serveSpec(clusterSpec(calls), port).then((s) => {
          server = s;
          resolve();
        });
      }, 250),
    );
    const r = await box.call("list_pods", { cluster: "prod" }, { fresh: true });
    await restarted;
    expect(r).toMatchObject({ ok: true, value: { structuredContent: { served: 2 } } });
    expect(calls).toHaveLength(2);
  });

  it("finds the tools of a server that was down at start once it answers", async () => {
    const probe = await serveSpec(clusterSpec([]));
    const url = probe.url;
    await probe.close();
    const { box } = await toolbox({ late: httpServer(url) });
    expect(box.listTools()).toEqual([]);
    const server = await serveSpec(clusterSpec([]), Number(new URL(url).port));
    cleanups.push(server.close);
    expect(await box.call("list_pods", { cluster: "prod" })).toMatchObject({ ok: true, value: { server: "late" } });
    expect(box.listTools().map((t) => t.name)).toContain("late__list_pods");
  });

  // Each start of the child (node + tsx) takes seconds on a loaded machine; the test starts three.
  it("starts a stdio server again after its process was killed", { timeout: 120_000 }, async () => {
    const script = fileURLToPath(new URL("../testing/stdio-server.ts", import.meta.url));
    const { box } = await toolbox({ child: { decisionAware: true, source: { kind: "endpoint", endpoint: { transport: "stdio", command: process.execPath, args: ["--import", "tsx", script], stderr: "ignore" } } } }, { defaultTimeoutMs: 30_000 });
    const pidOf = async () => {
      const r = await box.call("whoami", {}, { fresh: true });
      if (!r.ok) throw new Error(r.error.message);
      return (r.value.structuredContent as { pid: number }).pid;
    };
    const first = await pidOf();
    process.kill(first, "SIGKILL");
    const second = await pidOf();
    expect(second).not.toBe(first);
    expect(() => process.kill(first, 0)).toThrow();
    // A write after a restart is sent once, on the new connection.
    await new Promise((r) => setTimeout(r, 50));
    process.kill(second, "SIGKILL");
    await new Promise((r) => setTimeout(r, 200));
    expect(await box.call("scale", scaleArgs, { decision: decide() })).toMatchObject({ ok: true, value: { structuredContent: { changed: true } } });
  });
});
