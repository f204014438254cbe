import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectHttp, connectInMemory, textOf } from "../testing/connect.js";
import { eventually, startSandboxBackends } from "../testing/sandbox-backends.js";
import { createUpstreams, type Upstreams } from "../upstream/upstreams.js";
import { lokiServer } from "./server.js";

/**
 * The loki server against a real sandbox's Loki API (HTTPS on each cluster's API server under
 * /loki, its private CA, a bearer token), both clusters configured by name.
 */

let backends: Awaited<ReturnType<typeof startSandboxBackends>>;
let upstreams: Upstreams;
let conn: Awaited<ReturnType<typeof connectInMemory>>;

type Summary = {
  cluster: string;
  lines: number;
  streams: number;
  limitReached: boolean;
  byLevel: Record<string, number>;
  topErrors: Array<{ message: string; count: number; level: string; example: string }>;
  commonLabels: Record<string, string>;
  newest: Array<{ labels: string; errors: number; newest: Array<{ at: string; line: string }> }>;
  omittedLines: number;
};
const call = (name: string, args: Record<string, unknown>) => conn.client.callTool({ name, arguments: args });
const summary = (r: unknown) => (r as { structuredContent: Summary }).structuredContent;
const PANIC = "panic: runtime error: invalid memory address or nil pointer dereference";

beforeAll(async () => {
  backends = await startSandboxBackends();
  upstreams = createUpstreams(backends.endpoints("/loki"), { token: backends.token, ca: backends.ca });
  conn = await connectInMemory(lokiServer({ upstreams }));
}, 60_000);

afterAll(async () => {
  await conn?.close();
  upstreams?.close();
  await backends?.stop();
});

describe("loki_query_range against the sandbox", () => {
  it("finds a crashlooping workload's panics and summarises them: counts by level, the top message, the newest lines", async () => {
    const fault = backends.sandbox.faults.inject({ kind: "crashloop", cluster: "prod", namespace: "shop", target: "cart" });
    expect(fault.ok).toBe(true);
    // Both cart pods crash a couple of seconds after the injection, then again after each back-off.
    const s = await eventually(
      async () => {
        const d = summary(await call("loki_query_range", { query: '{namespace="shop"}', since: "10m", cluster: "prod" }));
        return (d.topErrors[0]?.count ?? 0) >= 2 ? d : undefined;
      },
      "two panics in shop's logs",
      40_000,
    );
    expect(s.cluster).toBe("prod");
    expect(s.byLevel.error).toBeGreaterThanOrEqual(2);
    expect(s.byLevel.info).toBeGreaterThan(0);
    expect(s.topErrors[0]).toMatchObject({ message: PANIC, level: "error", example: PANIC });
    expect(s.commonLabels).toMatchObject({ cluster: "prod", namespace: "shop" });
    // The streams with errors come first: cart's, each with its panic among the newest lines.
    const cart = s.newest.slice(0, 2);
    for (const st of cart) {
      expect(st.labels).toMatch(/pod="cart-/);
      expect(st.errors).toBeGreaterThanOrEqual(1);
      expect(st.newest.map((l) => l.line)).toContain(PANIC);
    }
    const r = await call("loki_query_range", { query: '{namespace="shop", app="cart"} |= "panic"', since: "10m", cluster: "prod" });
    expect(textOf(r)).toMatch(/by level: error \d+\ntop error and warning messages \(numbers and ids stripped\):\n\s+\d+ × error panic: runtime error/);
  }, 60_000);

  it("reads the other cluster by name, where nothing crashes", async () => {
    const s = summary(await call("loki_query_range", { query: '{namespace="shop", app="cart"}', since: "10m", cluster: "staging" }));
    expect(s.cluster).toBe("staging");
    expect(s.lines).toBeGreaterThan(0);
    expect(s.byLevel.error).toBe(0);
    expect(s.commonLabels.cluster ?? s.newest[0]?.labels).toMatch(/staging/);
  });

  it("reads no more than the limit, and says the limit was reached", async () => {
    const r = await call("loki_query_range", { query: '{namespace=~"shop|platform|kube-system"}', limit: 5 });
    const s = summary(r);
    expect(s.lines).toBe(5);
    expect(s.limitReached).toBe(true);
    expect(textOf(r)).toMatch(/the limit of 5 was reached: older lines were not read/);
  });

  it("keeps the largest answer under the output cap", async () => {
    const r = await call("loki_query_range", { query: '{cluster="prod"}', limit: 1000, linesPerStream: 50 });
    expect(r.isError).toBeFalsy();
    expect(textOf(r).length).toBeLessThanOrEqual(24_000);
    const s = summary(r);
    const shown = s.newest.reduce((n, st) => n + st.newest.reduce((m, l) => m + l.line.length, 0), 0);
    expect(shown).toBeLessThanOrEqual(9000);
    expect(s.lines).toBeGreaterThan(50);
  });

  it("passes Loki's refusal of a query back as the tool error", async () => {
    // The sandbox's Loki answers log queries only; a metric query is its 400.
    const r = await call("loki_query_range", { query: 'rate({namespace="shop"}[5m])' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/^Loki refused the query: /);
  });
});

describe("LogQL checked before it is sent", () => {
  // Pointed at a port nothing listens on: a query that were sent would fail as unreachable.
  let offline: Awaited<ReturnType<typeof connectInMemory>>;
  let nowhere: Upstreams;
  beforeAll(async () => {
    nowhere = createUpstreams([{ name: "prod", url: "http://127.0.0.1:9/loki" }], { timeoutMs: 2000 });
    offline = await connectInMemory(lokiServer({ upstreams: nowhere }));
  });
  afterAll(async () => {
    await offline?.close();
    nowhere?.close();
  });

  it.each([
    ['namespace="shop" |= "error"', /no stream selector/],
    ['{namespace="shop"', /column 1: "\{" is never closed \(add "\}"\)/],
    ['{namespace="shop"} |= "panic', /column 23: the string opened here with " is never closed/],
    ['{app=~".*"}', /at least one matcher that cannot match an empty value/],
    ["{}", /the stream selector \{\} is empty/],
    ['{namespace: "shop"}', /"namespace: "shop"" is not a label matcher/],
    ['sum(count_over_time({app="cart"}[5m]])', /column 37: "\]" closes the "\(" opened at column 20; expected "\)"/],
  ])("refuses %s with where and what to fix", async (query, message) => {
    const r = await offline.client.callTool({ name: "loki_query_range", arguments: { query } });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/^malformed LogQL at line 1, column \d+: /);
    expect(textOf(r)).toMatch(message);
    expect(textOf(r)).toMatch(/it was not sent to Loki/);
  });

  it("does send a well-formed query (and reports the backend unreachable)", async () => {
    const r = await offline.client.callTool({ name: "loki_query_range", arguments: { query: '{namespace="shop"}' } });
    expect(textOf(r)).toMatch(/^Loki \(prod: http:\/\/127\.0\.0\.1:9\/loki\) is unreachable/);
  });
});

describe("loki labels", () => {
  it("lists the streams' labels and a label's values under a selector", async () => {
    const labels = (await call("loki_labels", {})).structuredContent as { labels: string[] };
    expect(labels.labels).toEqual(expect.arrayContaining(["cluster", "namespace", "pod", "container", "app", "node"]));
    const r = await call("loki_label_values", { label: "app", query: '{namespace="shop"}', cluster: "staging" });
    expect((r.structuredContent as { values: string[] }).values).toEqual(["cart", "catalog", "catalog-db", "checkout", "frontend", "payments", "redis-cart"]);
  });
});

describe("loki arguments", () => {
  it("answers malformed arguments with what to fix", async () => {
    const tooMany = await call("loki_query_range", { query: '{namespace="shop"}', limit: 5000 });
    expect(tooMany.isError).toBe(true);
    expect(textOf(tooMany)).toMatch(/limit/);
    const cluster = await call("loki_query_range", { query: '{namespace="shop"}', cluster: "qa" });
    expect(textOf(cluster)).toMatch(/cluster/);
    expect(textOf(cluster)).toMatch(/prod/);
    const since = await call("loki_query_range", { query: '{namespace="shop"}', since: "5 minutes" });
    expect(textOf(since)).toBe('since: "5 minutes" is not a duration; write e.g. 30s, 5m, 1h30m, 2d');
    const both = await call("loki_query_range", { query: '{namespace="shop"}', since: "5m", start: "now-1h" });
    expect(textOf(both)).toBe("give either start or since, not both");
    const label = await call("loki_label_values", { label: "k8s.pod" });
    expect(textOf(label)).toMatch(/a label name/);
  });
});

describe("loki over Streamable HTTP", () => {
  it("serves the tools to an HTTP client, with a base URL without the /loki path too", async () => {
    const bare = createUpstreams(backends.endpoints(""), { token: backends.token, ca: backends.ca });
    const http = await connectHttp(lokiServer({ upstreams: bare }));
    try {
      const { tools } = await http.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(["loki_label_values", "loki_labels", "loki_query_range"]);
      const r = await http.client.callTool({ name: "loki_query_range", arguments: { query: '{namespace="shop"}', cluster: "staging", since: "10m" } });
      expect(r.isError).toBeFalsy();
      expect((r.structuredContent as Summary).lines).toBeGreaterThan(0);
    } finally {
      await http.close();
      bare.close();
    }
  });
});
