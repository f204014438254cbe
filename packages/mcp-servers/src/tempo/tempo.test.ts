import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectHttp, connectInMemory, textOf } from "../testing/connect.js";
import { eventually, startSandboxBackends } from "../testing/sandbox-backends.js";
import { createUpstreams, type Upstreams } from "../upstream/upstreams.js";
import { tempoServer } from "./server.js";

/** The tempo server against a real sandbox's Tempo API (HTTPS under /tempo on each cluster's API server). */

let backends: Awaited<ReturnType<typeof startSandboxBackends>>;
let upstreams: Upstreams;
let conn: Awaited<ReturnType<typeof connectInMemory>>;

type Found = { cluster: string; found: number; traces: Array<{ traceId: string; rootService: string; rootOperation: string; durationMs: number }> };
type Summary = {
  traceId: string;
  rootService: string;
  durationMs: number;
  spanCount: number;
  services: Record<string, number>;
  slowest: Array<{ service: string; name: string; durationMs: number; selfMs: number }>;
  failing: Array<{ service: string; name: string; message?: string; statusCode?: number; origin: boolean; count: number }>;
  criticalPath: Array<{ service: string; name: string; depth: number }>;
  tree: string[];
};
const call = (name: string, args: Record<string, unknown>) => conn.client.callTool({ name, arguments: args });

beforeAll(async () => {
  backends = await startSandboxBackends();
  upstreams = createUpstreams(backends.endpoints("/tempo"), { token: backends.token, ca: backends.ca });
  conn = await connectInMemory(tempoServer({ upstreams }));
}, 60_000);

afterAll(async () => {
  await conn?.close();
  upstreams?.close();
  await backends?.stop();
});

describe("tempo against the sandbox", () => {
  it("searches traces by service and summarises one: root, duration, slowest spans, critical path", async () => {
    const found = await eventually(
      async () => {
        const d = (await call("tempo_search", { service: "checkout", limit: 5 })).structuredContent as Found;
        return d.found > 0 ? d : undefined;
      },
      "a trace through checkout",
      // The sandbox's trace sampler runs on its own clock: a loaded CI machine took over 20 s for the first one.
      60_000,
    );
    expect(found.cluster).toBe("prod");
    expect(found.traces.length).toBeLessThanOrEqual(5);
    expect(found.traces[0]?.rootService).toBe("ingress-gateway");
    // Slowest first.
    expect(found.traces.map((t) => t.durationMs)).toEqual([...found.traces.map((t) => t.durationMs)].sort((a, b) => b - a));

    const id = found.traces[0]?.traceId as string;
    const r = await call("tempo_get_trace", { traceId: id.toUpperCase() });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as Summary;
    expect(s).toMatchObject({ traceId: id, rootService: "ingress-gateway" });
    expect(s.services.checkout).toBeGreaterThanOrEqual(1);
    expect(s.spanCount).toBe(Object.values(s.services).reduce((a, b) => a + b, 0));
    expect(s.durationMs).toBeCloseTo(found.traces[0]?.durationMs as number, -1);
    expect(s.slowest).toHaveLength(5);
    expect(s.slowest[0]?.service).toBe("ingress-gateway");
    for (const x of s.slowest) expect(x.selfMs).toBeLessThanOrEqual(x.durationMs);
    expect(s.criticalPath.slice(0, 2).map((p) => [p.service, p.depth])).toEqual([["ingress-gateway", 0], ["frontend", 1]]);
    expect(s.tree[0]).toMatch(/^ingress-gateway: GET /);
    expect(textOf(r)).toMatch(new RegExp(`^trace ${id}: ingress-gateway .*ms, ${s.spanCount} spans across`));
    expect(textOf(r)).toMatch(/critical path/);
  }, 90_000);

  it("shows a scaled-to-zero service's callers failing, with where the failure starts", async () => {
    const fault = backends.sandbox.faults.inject({ kind: "scaled-to-zero", cluster: "prod", namespace: "shop", target: "catalog" });
    expect(fault.ok).toBe(true);
    const found = await eventually(
      async () => {
        const d = (await call("tempo_search", { errorsOnly: true, tags: { "peer.service": "catalog" }, since: "1m" })).structuredContent as Found;
        return d.found > 0 ? d : undefined;
      },
      "a failing trace calling catalog",
      30_000,
    );
    const r = await call("tempo_get_trace", { traceId: found.traces[0]?.traceId });
    const s = r.structuredContent as Summary;
    expect(s.failing[0]).toMatchObject({ service: "frontend", name: "POST catalog", message: "connection refused", origin: true });
    expect(textOf(r)).toMatch(/failing spans \(where a failure starts first\):\n\s+starts here (\d+× )?frontend: POST catalog — connection refused/);
  }, 45_000);

  it("searches the other cluster by name", async () => {
    const d = (await call("tempo_search", { service: "frontend", cluster: "staging", limit: 3 })).structuredContent as Found;
    expect(d.cluster).toBe("staging");
    expect(d.found).toBeGreaterThan(0);
  });

  it("says an unknown trace was not found, and where to look", async () => {
    const r = await call("tempo_get_trace", { traceId: "0123456789abcdef0123456789abcdef" });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/^trace 0123456789abcdef0123456789abcdef not found in cluster prod: .*tempo_search/);
  });
});

describe("tempo arguments", () => {
  it("answers malformed arguments with what to fix", async () => {
    const id = await call("tempo_get_trace", { traceId: "not-a-trace" });
    expect(id.isError).toBe(true);
    expect(textOf(id)).toMatch(/a trace id: up to 32 hex digits/);
    const dur = await call("tempo_search", { minDuration: "slow" });
    expect(textOf(dur)).toBe('minDuration: "slow" is not a duration; write e.g. 30s, 5m, 1h30m, 2d');
    const limit = await call("tempo_search", { limit: 1000 });
    expect(textOf(limit)).toMatch(/limit/);
    const cluster = await call("tempo_search", { cluster: "dev" });
    expect(textOf(cluster)).toMatch(/prod/);
  });

  it("refuses an inverted time range before asking Tempo", async () => {
    const r = await call("tempo_search", { minDuration: "2s", maxDuration: "1s", start: "now-10m", end: "now-20m" });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/must be before end/);
  });
});

describe("tempo over Streamable HTTP", () => {
  it("serves the tools to an HTTP client", async () => {
    const http = await connectHttp(tempoServer({ upstreams }));
    try {
      const { tools } = await http.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(["tempo_get_trace", "tempo_search"]);
      const r = await http.client.callTool({ name: "tempo_search", arguments: { minDuration: "1ms", limit: 2 } });
      expect((r.structuredContent as Found).found).toBe(2);
    } finally {
      await http.close();
    }
  });
});
