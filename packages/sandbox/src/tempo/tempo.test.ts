import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceModifier } from "../telemetry/telemetry-modifiers.js";
import type { ServiceState } from "../telemetry/traffic-model.js";
import { handleTempoRequest } from "./tempo-api.js";
import { generateBucket, TraceRing, type Trace, type TraceSource } from "./trace-generator.js";

const NOW = new Date("2026-11-23T10:00:00Z");
const svc = (name: string, namespace: string, calls: string[]): ServiceState => ({ name, namespace, calls, readyPods: 2, cpuLimitMilli: undefined });
const SERVICES: ServiceState[] = [
  svc("ingress-gateway", "edge", ["frontend"]),
  svc("frontend", "shop", ["checkout", "catalog"]),
  svc("checkout", "shop", ["payments", "cart"]),
  svc("payments", "shop", ["payment-gateway"]),
  svc("cart", "shop", ["redis-cart"]),
  svc("catalog", "shop", ["catalog-db"]),
  svc("redis-cart", "shop", []),
  svc("catalog-db", "shop", []),
];
const source = (mods: Record<string, ServiceModifier> = {}): TraceSource => ({
  cluster: "prod",
  seed: 42,
  services: () => SERVICES,
  modifierOf: (s) => mods[s] ?? {},
});
const bucketOf = (d: Date) => Math.floor(d.getTime() / 10_000) - 1;
const allTraces = (src: TraceSource, buckets = 120): Trace[] =>
  Array.from({ length: buckets }, (_, i) => generateBucket(src, bucketOf(NOW) - i)).flat();

describe("trace generation", () => {
  it("is deterministic and follows the call graph", () => {
    const a = generateBucket(source(), bucketOf(NOW));
    expect(generateBucket(source(), bucketOf(NOW))).toEqual(a);
    expect(a.length).toBeGreaterThan(0);
    const edges = new Set<string>();
    for (const t of allTraces(source())) {
      const ids = new Map(t.spans.map((s) => [s.spanId, s]));
      expect(t.spans[0]?.service).toBe("ingress-gateway");
      expect(t.spans[0]?.parentSpanId).toBeUndefined();
      for (const s of t.spans.slice(1)) {
        const parent = ids.get(s.parentSpanId ?? "");
        expect(parent).toBeDefined();
        edges.add(`${parent?.service}->${s.kind === "SPAN_KIND_CLIENT" ? s.attributes["peer.service"] : s.service}`);
        expect(s.startMs).toBeGreaterThanOrEqual(parent?.startMs ?? Infinity);
      }
    }
    expect([...edges].sort()).toEqual(
      ["catalog->catalog-db", "cart->redis-cart", "checkout->cart", "checkout->payments", "frontend->catalog", "frontend->checkout", "ingress-gateway->frontend", "payments->payment-gateway"].sort(),
    );
  });

  it("makes cart and checkout fail when redis-cart fails", () => {
    const failing = (src: TraceSource, service: string) => allTraces(src).flatMap((t) => t.spans).filter((s) => s.service === service);
    const rate = (spans: { error: boolean }[]) => spans.filter((s) => s.error).length / spans.length;
    expect(rate(failing(source(), "cart"))).toBeLessThan(0.05);
    const broken = source({ "redis-cart": { errorRate: 1 } });
    expect(rate(failing(broken, "redis-cart"))).toBe(1);
    expect(rate(failing(broken, "cart"))).toBeGreaterThan(0.6);
    expect(rate(failing(broken, "checkout"))).toBeGreaterThan(0.4);
  });

  it("shows payments' extra latency in its spans", () => {
    const median = (src: TraceSource) => {
      const d = allTraces(src).flatMap((t) => t.spans).filter((s) => s.service === "payments" && s.kind === "SPAN_KIND_SERVER").map((s) => s.durationMs).sort((x, y) => x - y);
      return d[Math.floor(d.length / 2)] ?? 0;
    };
    expect(median(source())).toBeLessThan(400);
    expect(median(source({ payments: { extraLatencyMs: 2000 } }))).toBeGreaterThan(1500);
  });
});

describe("Tempo API", () => {
  let server: Server;
  let base: string;
  const ring = new TraceRing(source({ "redis-cart": { errorRate: 1 }, payments: { extraLatencyMs: 1000 } }));
  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      void handleTempoRequest(req, res, url, { traces: ring, now: () => NOW }).then((handled) => {
        if (!handled) res.writeHead(418).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  type Found = { traces: { traceID: string; rootServiceName: string; rootTraceName: string; startTimeUnixNano: string; durationMs: number }[] };
  const search = async (qs: string): Promise<Found> => {
    const r = await fetch(`${base}/tempo/api/search?${qs}`);
    expect(r.status).toBe(200);
    return (await r.json()) as Found;
  };

  it("searches by service, duration, status and limit", async () => {
    const all = await search("limit=20");
    expect(all.traces).toHaveLength(20);
    expect(all.traces[0]?.rootServiceName).toBe("ingress-gateway");
    const slow = await search(`tags=${encodeURIComponent("service.name=payments")}&minDuration=1s&limit=5`);
    expect(slow.traces.length).toBe(5);
    expect(slow.traces.every((t) => t.durationMs >= 1000)).toBe(true);
    const fast = await search("maxDuration=50ms&limit=50");
    expect(fast.traces.every((t) => t.durationMs <= 50)).toBe(true);
    const errs = await search(`tags=${encodeURIComponent("service.name=cart status=error")}&limit=5`);
    expect(errs.traces.length).toBe(5);
    for (const t of errs.traces) {
      const r = await fetch(`${base}/tempo/api/traces/${t.traceID}`);
      const body = (await r.json()) as { batches: { resource: { attributes: { value: { stringValue: string } }[] }; scopeSpans: { spans: { status: { code: string } }[] }[] }[] };
      const cart = body.batches.find((b) => b.resource.attributes[0]?.value.stringValue === "cart");
      expect(cart?.scopeSpans[0]?.spans.some((s) => s.status.code === "STATUS_CODE_ERROR")).toBe(true);
    }
    const codes = await search(`tags=${encodeURIComponent("service.name=checkout http.status_code=500")}&limit=3`);
    expect(codes.traces.length).toBeGreaterThan(0);
  });

  it("returns a trace in OTLP-JSON shape, 404 for an unknown id", async () => {
    const [first] = (await search("limit=1")).traces;
    const r = await fetch(`${base}/tempo/api/traces/${first?.traceID}`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { batches: { resource: { attributes: { key: string }[] }; scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    const spans = body.batches.flatMap((b) => b.scopeSpans.flatMap((s) => s.spans));
    expect(body.batches[0]?.resource.attributes[0]?.key).toBe("service.name");
    expect(Object.keys(spans[0] ?? {}).sort()).toEqual(["attributes", "endTimeUnixNano", "kind", "name", "parentSpanId", "spanId", "startTimeUnixNano", "status", "traceId"]);
    expect(spans.every((s) => s.traceId === first?.traceID)).toBe(true);
    expect((await fetch(`${base}/tempo/api/traces/00000000000000000000000000000000`)).status).toBe(404);
    expect((await fetch(`${base}/tempo/api/traces/nope`)).status).toBe(404);
  });

  it("answers 400 for bad params and false off its path", async () => {
    const r = await fetch(`${base}/tempo/api/search?minDuration=fast`);
    expect(r.status).toBe(400);
    expect(await r.text()).toContain("fast");
    expect((await fetch(`${base}/tempo/api/search?tags=novalue`)).status).toBe(400);
    expect((await fetch(`${base}/tempo/api/search?limit=-1`)).status).toBe(400);
    expect((await fetch(`${base}/loki/api/v1/labels`)).status).toBe(418);
  });
});
