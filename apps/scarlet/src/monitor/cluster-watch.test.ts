import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { Action, createLogger } from "@autodevops/shared";
import { eventually } from "@autodevops/shared/testing";
import { startSandbox, type RunningSandbox } from "@autodevops/sandbox";
import { observationsOf, targetFactsOf, workloadHealth } from "./cluster-facts.js";
import { startClusterWatch, type ClusterWatch } from "./cluster-watch.js";

const log = createLogger({ service: "cluster-watch-test", level: "silent" });
let sandbox: RunningSandbox;
let dataDir: string;
const watches: ClusterWatch[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "scarlet-watch-"));
  sandbox = await startSandbox({ dataDir, host: "127.0.0.1", controlPort: 0, log });
}, 60_000);
afterAll(async () => {
  await Promise.all(watches.map((w) => w.stop()));
  await sandbox?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function kubeConfig(context: string, server?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfig);
  if (server) kc.loadFromOptions({ clusters: kc.clusters.map((c) => (c.name === "prod" ? { ...c, server } : c)), users: kc.users, contexts: kc.contexts, currentContext: context });
  kc.setCurrentContext(context);
  return kc;
}

async function watchProd(server?: string, onChange?: () => void, logger = log): Promise<ClusterWatch> {
  const w = await startClusterWatch({ cluster: "prod", kubeConfig: kubeConfig("scarlet@prod", server), log: logger, ...(onChange ? { onChange } : {}) });
  watches.push(w);
  return w;
}

async function scaleFrontend(replicas: number): Promise<void> {
  const apps = kubeConfig("prod").makeApiClient(AppsV1Api);
  await apps.patchNamespacedDeploymentScale({ name: "frontend", namespace: "shop", body: { spec: { replicas } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
}

/** A TCP relay to the API server that can cut every connection and refuse new ones, as a flaky network would. */
async function flakyRelay(target: URL): Promise<{ url: string; cut(refuse: boolean): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) return void client.destroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut(refuse) {
      refusing = refuse;
      if (refuse) for (const s of sockets) s.destroy();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe("the cluster watch over the sandbox's API", () => {
  it("lists the estate with Scarlet's own identity", async () => {
    const w = await watchProd();
    expect(w.ready).toBe(true);
    const shop = [...w.deployments(), ...w.statefulSets()].filter((x) => x.metadata.namespace === "shop");
    expect(shop).toHaveLength(7);
    expect(w.statefulSets().filter((x) => x.metadata.namespace === "shop").map((x) => x.kind)).toEqual(["StatefulSet", "StatefulSet"]);
    expect(w.deployments().every((d) => d.kind === "Deployment")).toBe(true);
    expect(w.nodes()).toHaveLength(3);
    expect(w.pods("shop").length).toBeGreaterThan(0);
    expect(w.namespaces().map((n) => n.metadata.name)).toContain("shop");
    expect(w.replicaSets().length).toBeGreaterThan(0);
    // Listed objects carry the wire's strings, not the typed client's Dates.
    expect(typeof w.pods("shop")[0]?.metadata.creationTimestamp).toBe("string");
    const obs = observationsOf(w, new Date());
    expect(obs.filter((o) => o.type === "workload").length).toBeGreaterThanOrEqual(7);
  }, 30_000);

  it("sees a scale made through the API and a crash loop's restarts climb within seconds", async () => {
    let changes = 0;
    const w = await watchProd(undefined, () => (changes += 1));
    const before = w.deployments().find((d) => d.metadata.name === "frontend")?.spec?.replicas ?? 0;
    await scaleFrontend(before + 1);
    await eventually(() => w.deployments().find((d) => d.metadata.name === "frontend")?.spec?.replicas === before + 1, "the scale in the cache", 5_000, 50);
    await eventually(() => workloadHealth(w, "shop", "frontend")?.podNames.length === before + 1, "the new frontend pod in the cache", 10_000, 100);
    expect(changes).toBeGreaterThan(0);
    const facts = targetFactsOf(w, Action.parse({ kind: "rollout-restart", cluster: "prod", namespace: "shop", target: "frontend", params: {} }));
    expect(facts).toMatchObject({ kind: "workload", replicas: before + 1, maxUnavailable: Math.floor((before + 1) / 4) || 1 });
    await scaleFrontend(before);

    const r = sandbox.faults.inject({ kind: "crashloop", namespace: "shop", target: "cart" });
    expect(r.ok).toBe(true);
    await eventually(() => (workloadHealth(w, "shop", "cart")?.restarts ?? 0) >= 2, "cart's restarts climbing", 15_000, 100);
  }, 30_000);

  it("refuses to start with an identity the API server rejects, rather than retrying for ever", async () => {
    const kc = kubeConfig("scarlet@prod");
    kc.loadFromOptions({ clusters: kc.clusters, users: kc.users.map((u) => ({ ...u, token: "not-a-token" })), contexts: kc.contexts, currentContext: "scarlet@prod" });
    await expect(startClusterWatch({ cluster: "prod", kubeConfig: kc, log })).rejects.toThrow(/refused \(40[13]\)/);
  }, 30_000);

  it("keeps its cache through dropped and refused connections and picks up what changed meanwhile", async () => {
    const relay = await flakyRelay(new URL(sandbox.clusters.find((c) => c.name === "prod")?.apiServer ?? ""));
    try {
      const lines: string[] = [];
      const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
      const w = await watchProd(relay.url, undefined, createLogger({ service: "cluster-watch-test", level: "warn", destination: sink }));
      const pods = w.pods().length;
      relay.cut(true);
      const before = w.deployments().find((d) => d.metadata.name === "frontend")?.spec?.replicas ?? 0;
      await scaleFrontend(before + 2);
      const failed = (resource: string) => lines.filter((l) => l.includes("watch failed; restarting") && l.includes(`"resource":"${resource}"`)).length;
      // The deployments watch broke and a restart was refused too: it is backing off, not watching.
      await eventually(() => failed("deployments") >= 2, "the deployments watch failing and retrying", 10_000, 50);
      expect(w.deployments().find((d) => d.metadata.name === "frontend")?.spec?.replicas).toBe(before);
      // The cache still answers while the API is unreachable.
      expect(w.pods().length).toBe(pods);
      expect(w.ready).toBe(true);
      relay.cut(false);
      await eventually(() => w.deployments().find((d) => d.metadata.name === "frontend")?.spec?.replicas === before + 2, "the scale after the watch came back", 15_000, 100);
      await scaleFrontend(before);
    } finally {
      await relay.close();
    }
  }, 30_000);
});
