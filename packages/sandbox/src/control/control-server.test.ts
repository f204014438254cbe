import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "@autodevops/shared";
import { afterEach, describe, expect, it } from "vitest";
import { MutationLog, type Mutation } from "../api/mutation-log.js";
import { applyEstate } from "../estate/apply-estate.js";
import { buildEstate } from "../estate/build-estate.js";
import { resetCluster } from "../estate/reset-cluster.js";
import { ClusterStore } from "../store/cluster-store.js";
import { clusterInfo, ClustersResponse } from "./cluster-info.js";
import { createControlServer, type ControlServerDeps } from "./control-server.js";

const log = createLogger({ service: "control-test", level: "silent" });
const CLUSTERS = [
  clusterInfo({ name: "prod", context: "prod", apiServer: "http://127.0.0.1:17443" }),
  clusterInfo({ name: "staging", context: "staging", apiServer: "http://127.0.0.1:17444/" }),
];

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function start(overrides: Partial<ControlServerDeps> = {}): Promise<string> {
  server = createControlServer({
    kubeconfigPath: "/tmp/sandbox/kubeconfig",
    clusters: CLUSTERS,
    mutations: new MutationLog(),
    reset: async () => {},
    log,
    handleFaults: async () => false,
    ...overrides,
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server?.address() as AddressInfo).port}`;
}

const post = (url: string, body?: string) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, ...(body !== undefined ? { body } : {}) });

function mutation(at: string, name: string): Mutation {
  return { at, cluster: "prod", verb: "delete", resource: "pods", namespace: "shop", name, user: "admin", action: "delete-pod" };
}

describe("GET /sandbox/clusters", () => {
  it("lists the kubeconfig path and each cluster with its API server and telemetry URLs", async () => {
    const base = await start();
    const res = await fetch(`${base}/sandbox/clusters`);
    expect(res.status).toBe(200);
    const body = ClustersResponse.parse(await res.json());
    expect(body.kubeconfig).toBe("/tmp/sandbox/kubeconfig");
    expect(body.clusters).toEqual([
      {
        name: "prod",
        context: "prod",
        apiServer: "http://127.0.0.1:17443",
        metricsUrl: "http://127.0.0.1:17443/metrics",
        lokiUrl: "http://127.0.0.1:17443/loki",
        tempoUrl: "http://127.0.0.1:17443/tempo",
      },
      {
        name: "staging",
        context: "staging",
        apiServer: "http://127.0.0.1:17444",
        metricsUrl: "http://127.0.0.1:17444/metrics",
        lokiUrl: "http://127.0.0.1:17444/loki",
        tempoUrl: "http://127.0.0.1:17444/tempo",
      },
    ]);
  });
});

describe("POST /sandbox/reset", () => {
  it("answers once the reset has finished", async () => {
    const events: string[] = [];
    const base = await start({
      reset: async () => {
        events.push("reset started");
        await new Promise((r) => setTimeout(r, 50));
        events.push("reset done");
      },
    });
    const res = await post(`${base}/sandbox/reset`, "{}");
    events.push("answered");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(events).toEqual(["reset started", "reset done", "answered"]);
  });

  it("accepts an empty body", async () => {
    const base = await start();
    expect((await post(`${base}/sandbox/reset`)).status).toBe(200);
  });

  it("runs concurrent resets one after the other, never overlapping", async () => {
    let running = 0;
    let overlapped = false;
    let count = 0;
    const base = await start({
      reset: async () => {
        running++;
        if (running > 1) overlapped = true;
        await new Promise((r) => setTimeout(r, 20));
        running--;
        count++;
      },
    });
    const answers = await Promise.all([1, 2, 3].map(() => post(`${base}/sandbox/reset`, "{}")));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(count).toBe(3);
    expect(overlapped).toBe(false);
  });

  it("rejects parameters it does not take, and a body that is not JSON", async () => {
    const base = await start();
    const withField = await post(`${base}/sandbox/reset`, JSON.stringify({ cluster: "prod" }));
    expect(withField.status).toBe(400);
    expect(((await withField.json()) as { error: string }).error).toMatch(/unknown field cluster/);
    const notJson = await post(`${base}/sandbox/reset`, "{nope");
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/not JSON/);
  });

  it("answers 500 with the reason when the reset fails, and resets again on the next call", async () => {
    let calls = 0;
    const base = await start({
      reset: async () => {
        calls++;
        if (calls === 1) throw new Error("deployment shop/cart has no ReplicaSet");
      },
    });
    const failed = await post(`${base}/sandbox/reset`, "{}");
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: "reset failed: deployment shop/cart has no ReplicaSet" });
    expect((await post(`${base}/sandbox/reset`, "{}")).status).toBe(200);
  });

  it("restores a changed cluster to its baseline and clears the mutation log, wired as the sandbox wires it", async () => {
    const store = new ClusterStore({ now: () => new Date(), newUid: randomUUID, randomSuffix: () => Math.random().toString(36).slice(2, 7) });
    await applyEstate(store, buildEstate("staging", new Date()), { history: false });
    const mutations = new MutationLog();
    store.delete("configmaps", "shop", "cart-config");
    mutations.record(mutation(new Date().toISOString(), "cart-config"));

    const base = await start({
      mutations,
      reset: async () => {
        await resetCluster(store, "staging", { now: new Date(), history: false });
        mutations.clear();
      },
    });
    expect((await post(`${base}/sandbox/reset`, "{}")).status).toBe(200);
    expect(store.get("configmaps", "shop", "cart-config")).toBeDefined();
    expect(await (await fetch(`${base}/sandbox/mutations`)).json()).toEqual({ mutations: [] });
  });
});

describe("GET /sandbox/mutations", () => {
  const log3 = () => {
    const m = new MutationLog();
    m.record(mutation("2025-03-01T08:00:00.000Z", "a"));
    m.record(mutation("2025-03-01T08:05:00.000Z", "b"));
    m.record(mutation("2025-03-01T08:10:00.000Z", "c"));
    return m;
  };

  it("returns every mutation without since, and those at or after since with it", async () => {
    const base = await start({ mutations: log3() });
    const all = (await (await fetch(`${base}/sandbox/mutations`)).json()) as { mutations: Mutation[] };
    expect(all.mutations.map((m) => m.name)).toEqual(["a", "b", "c"]);
    const since = encodeURIComponent("2025-03-01T10:05:00+02:00");
    const later = (await (await fetch(`${base}/sandbox/mutations?since=${since}`)).json()) as { mutations: Mutation[] };
    expect(later.mutations.map((m) => m.name)).toEqual(["b", "c"]);
    expect(later.mutations[0]).toEqual(mutation("2025-03-01T08:05:00.000Z", "b"));
  });

  it("lists the API calls the clusters received, not the changes faults made as their pretend author", async () => {
    const m = log3();
    m.record({ ...mutation("2025-03-01T08:15:00.000Z", "cart-config"), user: "ci-bot", fault: true });
    const base = await start({ mutations: m });
    const all = (await (await fetch(`${base}/sandbox/mutations`)).json()) as { mutations: Mutation[] };
    expect(all.mutations.map((x) => x.name)).toEqual(["a", "b", "c"]);
  });

  it("answers 400 naming the problem for a since that is not an ISO timestamp", async () => {
    const base = await start({ mutations: log3() });
    const res = await fetch(`${base}/sandbox/mutations?since=yesterday`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^since: must be an ISO 8601 timestamp .*"yesterday"/);
    expect((await fetch(`${base}/sandbox/mutations?since=2025-03-01T08:00:00Z&since=2025-03-02T08:00:00Z`)).status).toBe(400);
  });
});

describe("health", () => {
  it("is live at once and ready when the estate is", async () => {
    let ready = false;
    const base = await start({ ready: () => ready });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const starting = await fetch(`${base}/readyz`);
    expect(starting.status).toBe(503);
    expect(await starting.json()).toEqual({ status: "starting" });
    ready = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });
});

describe("routing", () => {
  it("hands every /sandbox/faults call to the fault handler", async () => {
    const seen: string[] = [];
    const base = await start({
      handleFaults: async (req, res, url) => {
        seen.push(`${req.method} ${url.pathname}`);
        res.writeHead(202).end();
        return true;
      },
    });
    const calls = [
      fetch(`${base}/sandbox/faults`),
      post(`${base}/sandbox/faults`, JSON.stringify({ kind: "crashloop", namespace: "shop", target: "cart" })),
      fetch(`${base}/sandbox/faults/f-1`, { method: "DELETE" }),
    ];
    for (const res of await Promise.all(calls)) expect(res.status).toBe(202);
    expect(seen.sort()).toEqual(["DELETE /sandbox/faults/f-1", "GET /sandbox/faults", "POST /sandbox/faults"]);
  });

  it("answers 404 in JSON for an unknown path and 405 with Allow for a wrong method", async () => {
    const base = await start();
    const missing = await fetch(`${base}/sandbox/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/json");
    expect(await missing.json()).toEqual({ error: "no such endpoint: /sandbox/nothing" });

    const wrong = await fetch(`${base}/sandbox/reset`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    expect(((await wrong.json()) as { error: string }).error).toMatch(/GET is not allowed on \/sandbox\/reset; use POST/);
    expect((await fetch(`${base}/sandbox/clusters`, { method: "PUT" })).headers.get("allow")).toBe("GET, HEAD");
  });
});
