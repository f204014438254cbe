import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerLogs } from "../runtime/container-logs.js";
import { ClusterStore } from "../store/cluster-store.js";
import { LogArchive } from "./log-archive.js";
import { handleLokiRequest, parseLokiTime } from "./loki-api.js";

const NOW = new Date("2026-11-23T10:00:00Z");
const ns = (d: Date): string => (BigInt(d.getTime()) * 1_000_000n).toString();
const ago = (minutes: number): Date => new Date(NOW.getTime() - minutes * 60_000);

let server: Server;
let base: string;

beforeAll(async () => {
  let n = 0;
  const store = new ClusterStore({ now: () => NOW, newUid: () => `uid-${n++}`, randomSuffix: () => `s${n++}` });
  const logs = new ContainerLogs();
  const archive = new LogArchive({ name: "prod", store, logs }, { maxLinesPerStream: 1000, retainMs: 6 * 3_600_000 });
  for (const name of ["shop", "ops", "jobs"]) store.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  const pod = (namespace: string, name: string, app: string, node: string, containers: string[]) => {
    const r = store.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace, labels: { app } },
      spec: { nodeName: node, containers: containers.map((c) => ({ name: c, image: "x" })) },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
  };
  pod("shop", "web-1", "web", "node-a", ["web", "proxy"]);
  pod("shop", "api-1", "api", "node-b", ["api"]);
  pod("ops", "agent-1", "agent", "node-a", ["agent"]);
  logs.append("shop", "web-1", "web", { at: ago(50), text: "GET /home 200" });
  logs.append("shop", "web-1", "web", { at: ago(30), text: "GET /cart 500 error" });
  logs.append("shop", "web-1", "web", { at: ago(10), text: "GET /home 200" });
  logs.append("shop", "web-1", "proxy", { at: ago(40), text: "proxy ok" });
  logs.append("shop", "api-1", "api", { at: ago(20), text: "level=error msg=db timeout" });
  logs.append("shop", "api-1", "api", { at: ago(5), text: "level=info msg=ready" });
  logs.append("shop", "api-1", "api", { at: ago(120), text: "old line" });
  logs.append("ops", "agent-1", "agent", { at: ago(15), text: "scraped" });
  // Lines of a pod the API never knew have no labels: the shipper drops them.
  logs.append("shop", "gone-1", "gone", { at: ago(1), text: "ghost" });
  // A pod that crashed once and was then deleted: Loki keeps both runs' lines.
  pod("jobs", "cron-1", "cron", "node-a", ["cron"]);
  logs.append("jobs", "cron-1", "cron", { at: ago(80), text: "panic: first run" });
  logs.restart("jobs", "cron-1", "cron");
  logs.append("jobs", "cron-1", "cron", { at: ago(79), text: "started again" });
  store.delete("pods", "jobs", "cron-1");
  logs.forget("jobs", "cron-1");

  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    void handleLokiRequest(req, res, url, { archive, now: () => NOW }).then((handled) => {
      if (!handled) {
        res.writeHead(418);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface StreamsBody {
  status: string;
  data: { resultType: string; result: Array<{ stream: Record<string, string>; values: Array<[string, string]> }>; stats: object };
}

async function query(q: string, params: Record<string, string> = {}, path = "query_range"): Promise<StreamsBody> {
  const res = await fetch(`${base}/loki/api/v1/${path}?${new URLSearchParams({ query: q, ...params }).toString()}`);
  if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as StreamsBody;
}
const lines = (b: StreamsBody): string[] => b.data.result.flatMap((s) => s.values.map((v) => v[1]));
const pods = (b: StreamsBody): string[] => [...new Set(b.data.result.map((s) => `${s.stream.pod}/${s.stream.container}`))].sort();

describe("loki query_range", () => {
  it("answers Loki's streams shape with the stream's labels and ns timestamps", async () => {
    const b = await query('{pod="api-1"}');
    expect(b.status).toBe("success");
    expect(b.data.resultType).toBe("streams");
    expect(b.data.stats).toEqual({});
    expect(b.data.result).toEqual([
      {
        stream: { cluster: "prod", namespace: "shop", pod: "api-1", container: "api", app: "api", node: "node-b" },
        values: [
          [ns(ago(5)), "level=info msg=ready"],
          [ns(ago(20)), "level=error msg=db timeout"],
        ],
      },
    ]);
  });

  it("selects streams with =, !=, =~ and !~ (regexes match the whole value)", async () => {
    expect(pods(await query('{namespace="shop"}'))).toEqual(["api-1/api", "web-1/proxy", "web-1/web"]);
    expect(pods(await query('{namespace="shop", container!="proxy"}'))).toEqual(["api-1/api", "web-1/web"]);
    expect(pods(await query('{app=~"web|agent"}'))).toEqual(["agent-1/agent", "web-1/proxy", "web-1/web"]);
    expect(pods(await query('{app=~"we"}'))).toEqual([]);
    expect(pods(await query('{cluster="prod", node!~"node-.*a"}'))).toEqual(["api-1/api"]);
    expect(pods(await query('{pod="gone-1"}'))).toEqual([]);
  });

  it("keeps a deleted pod's lines, and every run of a restarted container, as Loki does", async () => {
    expect(lines(await query('{namespace="jobs"}', { direction: "forward", start: ns(ago(90)) }))).toEqual(["panic: first run", "started again"]);
  });

  it("applies each line filter, chained", async () => {
    expect(lines(await query('{namespace="shop"} |= "GET"', { direction: "forward" }))).toEqual(["GET /home 200", "GET /cart 500 error", "GET /home 200"]);
    expect(lines(await query('{app="web"} != "GET"'))).toEqual(["proxy ok"]);
    expect(lines(await query('{namespace=~".+"} |~ "err(or)?"', { direction: "forward" }))).toEqual(["level=error msg=db timeout", "GET /cart 500 error"]);
    expect(lines(await query('{app="api"} !~ "level=(info|debug)"'))).toEqual(["level=error msg=db timeout"]);
    expect(lines(await query('{app="web"} |= "GET" != "cart" |~ `/ho`'))).toEqual(["GET /home 200", "GET /home 200"]);
    expect(lines(await query('{app="web"} |~ "(?i)PROXY"'))).toEqual(["proxy ok"]);
  });

  it("applies the limit across streams in the chosen direction", async () => {
    const back = await query('{cluster="prod"}', { limit: "3" });
    expect(back.data.result.flatMap((s) => s.values.map((v) => v[0])).sort()).toEqual([ago(15), ago(10), ago(5)].map(ns).sort());
    expect(pods(back)).toEqual(["agent-1/agent", "api-1/api", "web-1/web"]);
    const fwd = await query('{cluster="prod"}', { limit: "2", direction: "FORWARD" });
    expect(lines(fwd).sort()).toEqual(["GET /home 200", "proxy ok"]);
    const web = await query('{container="web"}', { direction: "forward" });
    expect(web.data.result[0]?.values.map((v) => v[1])).toEqual(["GET /home 200", "GET /cart 500 error", "GET /home 200"]);
    const webBack = await query('{container="web"}', { limit: "2" });
    expect(webBack.data.result[0]?.values.map((v) => v[0])).toEqual([ns(ago(10)), ns(ago(30))]);
  });

  it("reads the time range from ns, seconds or RFC3339, end exclusive, defaulting to the last hour", async () => {
    expect(lines(await query('{app="api"}'))).not.toContain("old line");
    expect(lines(await query('{app="api"}', { start: ns(ago(180)) }))).toContain("old line");
    expect(lines(await query('{app="api"}', { start: ago(25).toISOString(), end: ns(ago(5)) }))).toEqual(["level=error msg=db timeout"]);
    const secs = String(ago(25).getTime() / 1000);
    expect(lines(await query('{app="api"}', { start: secs, end: ago(4).toISOString() }))).toHaveLength(2);
  });

  it("treats an instant query as a range ending at time, with the limit", async () => {
    const b = await query('{app="web"}', { time: ns(ago(20)), limit: "1" }, "query");
    expect(lines(b)).toEqual(["GET /cart 500 error"]);
  });
});

describe("loki labels", () => {
  it("lists the stream labels and their values", async () => {
    const labels = (await (await fetch(`${base}/loki/api/v1/labels`)).json()) as { status: string; data: string[] };
    expect(labels).toEqual({ status: "success", data: ["app", "cluster", "container", "namespace", "node", "pod"] });
    const values = async (name: string, extra = "") => ((await (await fetch(`${base}/loki/api/v1/label/${name}/values${extra}`)).json()) as { data: string[] }).data;
    // The deleted cron-1 pod's stream is still indexed, as in Loki.
    expect(await values("app")).toEqual(["agent", "api", "cron", "web"]);
    expect(await values("namespace")).toEqual(["jobs", "ops", "shop"]);
    expect(await values("node")).toEqual(["node-a", "node-b"]);
    expect(await values("level")).toEqual([]);
    expect(await values("pod", `?${new URLSearchParams({ query: '{namespace="shop"}' }).toString()}`)).toEqual(["api-1", "web-1"]);
  });
});

describe("loki errors", () => {
  const bad = async (q: string, params: Record<string, string> = {}) => {
    const res = await fetch(`${base}/loki/api/v1/query_range?${new URLSearchParams({ query: q, ...params }).toString()}`);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    return { status: res.status, text: await res.text() };
  };

  it("answers 400 in plain text for unsupported or malformed queries", async () => {
    const rate = await bad('rate({app="x"}[5m])');
    expect(rate.status).toBe(400);
    expect(rate.text).toMatch(/^parse error at line 1, col 1: metric queries/);
    expect(await bad("{}")).toEqual({ status: 400, text: "parse error at line 1, col 2: syntax error: unexpected }, expecting IDENTIFIER\n" });
    const re = await bad('{app=~"(web"}');
    expect(re.status).toBe(400);
    expect(re.text).toMatch(/^parse error at line 1, col 7: error parsing regexp/);
    expect((await bad('{app="web"} | json')).status).toBe(400);
    expect((await bad('{app=~".*"}')).text).toMatch(/empty-compatible/);
    expect((await bad('{app="web"} |~ "("')).status).toBe(400);
    expect((await bad("")).status).toBe(400);
  });

  it("answers 400 for bad parameters", async () => {
    expect((await bad('{app="web"}', { limit: "5001" })).status).toBe(400);
    expect((await bad('{app="web"}', { limit: "0" })).status).toBe(400);
    expect((await bad('{app="web"}', { direction: "sideways" })).status).toBe(400);
    expect((await bad('{app="web"}', { start: "yesterday" })).status).toBe(400);
    expect((await bad('{app="web"}', { start: ns(NOW), end: ns(ago(5)) })).status).toBe(400);
  });

  it("404s unknown Loki paths and leaves other paths alone", async () => {
    expect((await fetch(`${base}/loki/api/v1/tail`)).status).toBe(404);
    expect((await fetch(`${base}/api/v1/pods`)).status).toBe(418);
  });
});

describe("parseLokiTime", () => {
  it("reads Loki's timestamp forms", () => {
    expect(parseLokiTime("1700000000", 0n)).toEqual({ ok: true, value: 1_700_000_000_000_000_000n });
    expect(parseLokiTime("1700000000.5", 0n)).toEqual({ ok: true, value: 1_700_000_000_500_000_000n });
    expect(parseLokiTime("1700000000123456789", 0n)).toEqual({ ok: true, value: 1_700_000_000_123_456_789n });
    expect(parseLokiTime("2023-11-14T22:13:20.000000001Z", 0n)).toEqual({ ok: true, value: 1_700_000_000_000_000_001n });
    expect(parseLokiTime(null, 7n)).toEqual({ ok: true, value: 7n });
  });
});
