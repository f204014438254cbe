import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleFaultRequest } from "./fault-routes.js";
import { startFaultCluster, type FaultTestCluster } from "./fault-test-cluster.js";

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

const post = async (body: unknown) => {
  const res = await fetch(`${base}/sandbox/faults`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { id?: string; error?: string } };
};

describe("fault routes", () => {
  it("injects with 201 and an id, lists the fault, and deletes it once", async () => {
    const created = await post({ kind: "crashloop", namespace: "shop", target: "checkout", params: { message: "panic: x" } });
    expect(created.status).toBe(201);
    const id = created.body.id ?? "";
    const listed = (await (await fetch(`${base}/sandbox/faults`)).json()) as { faults: Record<string, unknown>[] };
    expect(listed.faults).toContainEqual(
      expect.objectContaining({ id, kind: "crashloop", cluster: "prod", namespace: "shop", target: "checkout", cured: false, injectedAt: expect.any(String) }),
    );
    expect((await fetch(`${base}/sandbox/faults/${id}`, { method: "DELETE" })).status).toBe(200);
    expect((await fetch(`${base}/sandbox/faults/${id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("answers 400 naming an unknown kind", async () => {
    const r = await post({ kind: "explode", namespace: "shop", target: "cart" });
    expect(r).toMatchObject({ status: 400, body: { error: expect.stringContaining('unknown fault kind "explode"') } });
  });

  it("injects the telemetry faults through the route and lists them uncured", async () => {
    const requests = [
      { kind: "memory-leak", namespace: "shop", target: "cart", params: { mibPerMin: 100 } },
      { kind: "traffic-spike", namespace: "shop", target: "cart", params: { factor: 3 } },
      { kind: "slow-dependency", namespace: "shop", target: "payments", params: { latencyMs: 1500 } },
      { kind: "flapping", namespace: "shop", target: "checkout" },
      { kind: "noise", namespace: "shop", target: "frontend", params: { message: "noise" } },
      { kind: "bad-rollout", namespace: "shop", target: "catalog", params: { mode: "errors" } },
    ];
    const ids: string[] = [];
    for (const r of requests) {
      const created = await post(r);
      expect(created, r.kind).toMatchObject({ status: 201, body: { id: expect.any(String) } });
      ids.push(created.body.id ?? "");
    }
    const listed = (await (await fetch(`${base}/sandbox/faults`)).json()) as { faults: { id: string; kind: string; target: string; cured: boolean }[] };
    for (const [i, r] of requests.entries()) expect(listed.faults).toContainEqual(expect.objectContaining({ id: ids[i], kind: r.kind, target: r.target, cured: false }));
    for (const id of ids) expect((await fetch(`${base}/sandbox/faults/${id}`, { method: "DELETE" })).status).toBe(200);
  });

  it("answers 400 naming an unknown target, cluster or node", async () => {
    expect((await post({ kind: "oom", namespace: "shop", target: "nope" })).body.error).toContain('"nope" in namespace "shop"');
    expect((await post({ kind: "oom", cluster: "qa", namespace: "shop", target: "cart" })).body.error).toContain('unknown cluster "qa"');
    expect((await post({ kind: "node-not-ready", target: "node-z" })).body.error).toContain('no node "node-z"');
  });

  it("answers 400 naming bad params", async () => {
    expect((await post({ kind: "oom", namespace: "shop", target: "cart", params: { workingSetMi: "lots" } })).body.error).toMatch(/^bad params for oom: workingSetMi/);
    expect((await post({ kind: "crashloop", namespace: "shop", target: "cart", params: { colour: "red" } })).body.error).toMatch(/bad params for crashloop.*colour/);
    expect((await post({ kind: "traffic-spike", namespace: "shop", target: "cart", params: { factor: 0.5 } })).body.error).toMatch(/^bad params for traffic-spike: factor/);
    expect((await post({ kind: "bad-rollout", namespace: "shop", target: "cart", params: { mode: "sideways" } })).body.error).toMatch(/^bad params for bad-rollout: mode/);
    expect((await post({ kind: "image-pull", namespace: "shop", target: "redis-cart" })).body.error).toContain("needs a Deployment");
  });

  it("answers 400 for a body that is not JSON or misses fields", async () => {
    expect((await post("{nope")).body.error).toMatch(/^body is not JSON/);
    expect((await post({ kind: "crashloop", namespace: "shop" })).body.error).toMatch(/^target:/);
  });

  it("leaves other paths to the control server", async () => {
    const res = await fetch(`${base}/sandbox/clusters`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("not mine");
  });

  it("lets the CLI inject, list and clear faults through the control API", async () => {
    const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
    const sandbox = (...args: string[]) =>
      promisify(execFile)(process.execPath, ["--import", "tsx", cli, ...args], { env: { ...process.env, SANDBOX_URL: base }, timeout: 20_000 });
    const injected = await sandbox("fault", "crashloop", "shop/catalog", "--param", "message=panic: from the CLI");
    const id = /id (\S+)/.exec(injected.stdout)?.[1] ?? "";
    expect(injected.stdout).toContain("injected crashloop on prod/shop/catalog");
    expect((await sandbox("faults")).stdout).toMatch(new RegExp(`${id}\\s+crashloop\\s+prod\\s+shop/catalog`));
    expect((await sandbox("cure", id)).stdout).toBe(`cleared fault ${id}\n`);
    await expect(sandbox("fault", "explode", "shop/cart")).rejects.toMatchObject({ stderr: expect.stringContaining('unknown fault kind "explode"') });
  }, 30_000);
});
