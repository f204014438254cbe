import { EXTERNAL_SERVICES, profileOf } from "../telemetry/service-profiles.js";
import type { ServiceModifier } from "../telemetry/telemetry-modifiers.js";
import { CALL_TIMEOUT_MS, computeTraffic, type ServiceState, type ServiceTraffic } from "../telemetry/traffic-model.js";

export type SpanKind = "SPAN_KIND_SERVER" | "SPAN_KIND_CLIENT";

export interface Span {
  spanId: string;
  parentSpanId: string | undefined;
  /** The service that emitted the span (its resource's `service.name`). */
  service: string;
  namespace: string;
  name: string;
  kind: SpanKind;
  startMs: number;
  durationMs: number;
  error: boolean;
  attributes: Record<string, string | number>;
}

export interface Trace {
  traceId: string;
  startMs: number;
  durationMs: number;
  /** Root first, then children in call order. */
  spans: Span[];
}

/** Everything a bucket's traces depend on: the call graph and its modifiers at that moment. */
export interface TraceSource {
  cluster: string;
  seed: number;
  services: () => readonly ServiceState[];
  /** A modifier whose `since` is after a bucket does not apply to it. */
  modifierOf: (service: string) => Readonly<ServiceModifier & { since?: Date }>;
}

export const BUCKET_MS = 10_000;
/** Sampled traces per bucket: Tempo keeps a sample, not every request. */
export const TRACES_PER_BUCKET = 12;
/** An hour of buckets (360 × 12 traces) and some: the default search window stays generated. */
export const RING_CAPACITY = 5000;
/** Share of a dependency's failures its caller passes on (the traffic model's propagation). */
const PROPAGATION = 0.7;
const REFUSED_CALL_MS = 1;

/** mulberry32: small, fast and the same on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}

const hex = (n: number, width: number): string => Math.floor(n).toString(16).padStart(width, "0").slice(-width);
const randomHex = (rand: () => number, width: number): string => {
  let s = "";
  while (s.length < width) s += hex(rand() * 0x10000, 4);
  return s.slice(0, width);
};

/** A log-normal sample with the given median. */
function logNormal(rand: () => number, median: number, sigma: number): number {
  const u = Math.max(rand(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  return median * Math.exp(sigma * z);
}

const failureOf = (t: ServiceTraffic): number => t.codes["500"] + t.codes["503"] + t.codes["504"];

/** Calls made per request for a fanout of f: floor(f), plus one more with the fraction's probability. */
function callCount(rand: () => number, fanout: number): number {
  const whole = Math.floor(fanout);
  return whole + (rand() < fanout - whole ? 1 : 0);
}

interface BucketContext {
  rand: () => number;
  byName: Map<string, ServiceState>;
  traffic: Map<string, ServiceTraffic>;
  modifierOf: (service: string) => Readonly<ServiceModifier>;
}

interface CallOutcome {
  spans: Span[];
  durationMs: number;
  error: boolean;
  statusCode: number;
}

function newSpan(ctx: BucketContext, fields: Omit<Span, "spanId">): Span {
  return { spanId: randomHex(ctx.rand, 16), ...fields };
}

/** The share of a service's median latency that is its own work: the model's median minus what its calls add. */
function ownMedianMs(ctx: BucketContext, s: ServiceState, t: ServiceTraffic): number {
  const profile = profileOf(s.name);
  let deps = 0;
  for (const dep of s.calls) {
    const calls = profile.fanout[dep] ?? 1;
    const ext = EXTERNAL_SERVICES[dep];
    if (ext) deps += calls * (ext.latencyMs + (ctx.modifierOf(s.name).externalLatencyMs ?? 0));
    else if (ctx.byName.get(dep)?.unreachableFrom?.has(s.name)) continue;
    else if ((ctx.byName.get(dep)?.readyPods ?? 0) === 0) deps += ctx.traffic.has(dep) ? calls * REFUSED_CALL_MS : 0;
    else deps += calls * (ctx.traffic.get(dep)?.latencyMedianMs ?? 0);
  }
  return Math.max(0.1, t.latencyMedianMs - deps);
}

/** The chance the service fails a request by itself, so that with its dependencies' propagated failures it matches the model. */
function ownFailure(ctx: BucketContext, s: ServiceState, t: ServiceTraffic): number {
  const profile = profileOf(s.name);
  let survive = 1;
  for (const dep of s.calls) {
    const d = ctx.traffic.get(dep);
    if (!d || EXTERNAL_SERVICES[dep]) continue;
    const share = Math.min(1, profile.fanout[dep] ?? 1);
    const depFails = ctx.byName.get(dep)?.unreachableFrom?.has(s.name) || (ctx.byName.get(dep)?.readyPods ?? 0) === 0 ? 1 : failureOf(d);
    survive *= 1 - PROPAGATION * share * depFails;
  }
  return Math.min(1, Math.max(0, 1 - (1 - failureOf(t)) / Math.max(survive, 1e-9)));
}

/** One request to `service`, starting at `startMs`, and everything it calls, depth first. */
function serve(ctx: BucketContext, traceId: string, service: string, parentSpanId: string | undefined, startMs: number): CallOutcome | undefined {
  const s = ctx.byName.get(service);
  const t = ctx.traffic.get(service);
  if (!s || !t) return undefined;
  const profile = profileOf(service);
  const span = newSpan(ctx, {
    parentSpanId,
    service,
    namespace: s.namespace,
    name: profile.http ? `GET /${service}` : `${service} query`,
    kind: "SPAN_KIND_SERVER",
    startMs,
    durationMs: 0,
    error: false,
    attributes: {},
  });
  const spans: Span[] = [span];
  const sigma = t.latencySigma;
  // Half of the service's own work before its calls, half after.
  const own = logNormal(ctx.rand, ownMedianMs(ctx, s, t), sigma);
  let cursor = startMs + own / 2;
  let error = ctx.rand() < ownFailure(ctx, s, t);
  let statusCode = error ? 500 : 200;
  for (const dep of s.calls) {
    const n = callCount(ctx.rand, profile.fanout[dep] ?? 1);
    for (let i = 0; i < n; i++) {
      const child = call(ctx, traceId, s, dep, span.spanId, cursor);
      if (!child) continue;
      spans.push(...child.spans);
      cursor += child.durationMs;
      if (child.error && !error && ctx.rand() < PROPAGATION) {
        error = true;
        statusCode = child.statusCode === 503 || child.statusCode === 504 ? child.statusCode : 500;
      }
    }
  }
  span.durationMs = cursor + own / 2 - startMs;
  span.error = error;
  span.attributes = profile.http
    ? { "http.method": "GET", "http.route": `/${service}`, "http.status_code": statusCode }
    : { "db.system": service.includes("redis") ? "redis" : "postgresql" };
  return { spans, durationMs: span.durationMs, error, statusCode };
}

/** A call from `caller` to `dep`: a CLIENT span for what is not instrumented (external or never answered), else the dependency's own spans. */
function call(ctx: BucketContext, traceId: string, caller: ServiceState, dep: string, parentSpanId: string, startMs: number): CallOutcome | undefined {
  const clientSpan = (durationMs: number, error: boolean, statusCode: number, extra: Record<string, string | number>): CallOutcome => {
    const span = newSpan(ctx, {
      parentSpanId,
      service: caller.name,
      namespace: caller.namespace,
      name: `POST ${dep}`,
      kind: "SPAN_KIND_CLIENT",
      startMs,
      durationMs,
      error,
      attributes: { "peer.service": dep, "http.method": "POST", ...extra },
    });
    return { spans: [span], durationMs, error, statusCode };
  };
  const ext = EXTERNAL_SERVICES[dep];
  if (ext) {
    const median = ext.latencyMs + (ctx.modifierOf(caller.name).externalLatencyMs ?? 0);
    return clientSpan(logNormal(ctx.rand, median, 0.3), false, 200, { "http.status_code": 200 });
  }
  const target = ctx.byName.get(dep);
  if (!target) return undefined;
  if (target.unreachableFrom?.has(caller.name)) return clientSpan(CALL_TIMEOUT_MS, true, 504, { error: "timeout" });
  if (target.readyPods === 0) return clientSpan(REFUSED_CALL_MS, true, 503, { error: "connection refused" });
  return serve(ctx, traceId, dep, parentSpanId, startMs);
}

/** The service external requests enter by: the ingress-gateway where there is one, else the frontend. */
export function entryService(services: readonly ServiceState[]): string | undefined {
  const names = new Set(services.map((s) => s.name));
  return ["ingress-gateway", "frontend"].find((n) => names.has(n));
}

/**
 * The sampled traces of one 10 s bucket. Pure: the same source state and bucket give the same
 * traces, so a trace id (which names its bucket) can be found again without keeping it.
 */
export function generateBucket(source: TraceSource, bucket: number): Trace[] {
  const at = new Date(bucket * BUCKET_MS);
  const services = source.services();
  const modifierOf = (name: string): Readonly<ServiceModifier> => {
    const m = source.modifierOf(name);
    return m.since !== undefined && m.since.getTime() > at.getTime() + BUCKET_MS ? {} : m;
  };
  const root = entryService(services);
  if (!root) return [];
  const traffic = computeTraffic({ cluster: source.cluster, at, seed: source.seed, services, modifierOf });
  const rand = seededRandom(hash32(`${source.seed}/${source.cluster}/${bucket}`));
  const ctx: BucketContext = { rand, byName: new Map(services.map((s) => [s.name, s])), traffic, modifierOf };
  if ((traffic.get(root)?.rps ?? 0) === 0) return [];
  const traces: Trace[] = [];
  for (let i = 0; i < TRACES_PER_BUCKET; i++) {
    const traceId = `${hex(bucket, 16)}${hex(i, 4)}${randomHex(rand, 12)}`;
    const startMs = at.getTime() + Math.floor(rand() * BUCKET_MS);
    const outcome = serve(ctx, traceId, root, undefined, startMs);
    if (outcome) traces.push({ traceId, startMs, durationMs: outcome.durationMs, spans: outcome.spans });
  }
  return traces.sort((a, b) => a.startMs - b.startMs);
}

/** The bucket a trace id names, or undefined for an id this generator never made. */
export function bucketOfTraceId(traceId: string): number | undefined {
  if (!/^[0-9a-f]{32}$/.test(traceId)) return undefined;
  return parseInt(traceId.slice(0, 16), 16);
}

/**
 * A cluster's recent traces, generated lazily per bucket and kept in a ring of about
 * `RING_CAPACITY` traces. Buckets not yet over are never kept: a fault set now must show.
 */
export class TraceRing {
  readonly #buckets = new Map<number, Trace[]>();
  #size = 0;

  constructor(private readonly source: TraceSource, private readonly capacity = RING_CAPACITY) {}

  bucket(bucket: number, now: Date): Trace[] {
    const kept = this.#buckets.get(bucket);
    if (kept) return kept;
    const traces = generateBucket(this.source, bucket).filter((t) => t.startMs <= now.getTime());
    if ((bucket + 1) * BUCKET_MS > now.getTime()) return traces;
    this.#buckets.set(bucket, traces);
    this.#size += traces.length;
    for (const [key, old] of this.#buckets) {
      if (this.#size <= this.capacity) break;
      this.#buckets.delete(key);
      this.#size -= old.length;
    }
    return traces;
  }

  /** Traces that started in [startMs, endMs), newest first, while `visit` returns true. */
  scan(startMs: number, endMs: number, now: Date, visit: (t: Trace) => boolean): void {
    const last = Math.floor(Math.min(endMs - 1, now.getTime()) / BUCKET_MS);
    const first = Math.floor(startMs / BUCKET_MS);
    for (let b = last; b >= first; b--) {
      const traces = this.bucket(b, now);
      for (let i = traces.length - 1; i >= 0; i--) {
        const t = traces[i] as Trace;
        if (t.startMs < startMs || t.startMs >= endMs) continue;
        if (!visit(t)) return;
      }
    }
  }

  find(traceId: string, now: Date): Trace | undefined {
    const b = bucketOfTraceId(traceId);
    if (b === undefined || b * BUCKET_MS > now.getTime()) return undefined;
    return this.bucket(b, now).find((t) => t.traceId === traceId);
  }
}
