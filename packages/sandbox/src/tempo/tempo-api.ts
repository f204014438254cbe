import type { IncomingMessage, ServerResponse } from "node:http";
import { err, ok, type Result } from "@autodevops/shared";
import type { Span, Trace, TraceRing } from "./trace-generator.js";

export interface TempoDeps {
  traces: Pick<TraceRing, "scan" | "find">;
  now: () => Date;
}

const PREFIX = "/tempo";
const HOUR_MS = 3_600_000;
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: HOUR_MS };

/** A Go duration ("100ms", "1.5s", "1m30s") in milliseconds; empty means none. */
export function parseDuration(value: string | null): Result<number | undefined, string> {
  if (value === null || value === "") return ok(undefined);
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
    consumed = re.lastIndex;
  }
  return consumed === value.length && consumed > 0 ? ok(total) : err(`invalid duration "${value}"`);
}

/** logfmt `key=value` pairs, values optionally double-quoted. */
export function parseTags(value: string | null): Result<Array<[string, string]>, string> {
  if (value === null || value.trim() === "") return ok([]);
  const re = /\s*([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))\s*/y;
  const tags: Array<[string, string]> = [];
  let pos = 0;
  while (pos < value.length) {
    re.lastIndex = pos;
    const m = re.exec(value);
    if (!m) return err(`invalid tags "${value}": expected logfmt key=value pairs`);
    tags.push([m[1] as string, m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "")]);
    pos = re.lastIndex;
  }
  return ok(tags);
}

function parseSeconds(value: string | null, fallback: number, name: string): Result<number, string> {
  if (value === null || value === "") return ok(fallback);
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? ok(n * 1000) : err(`invalid ${name} "${value}": expected unix seconds`);
}

/** Whether one span carries every tag: `service.name`, `name`, `status`, or any span attribute. */
function spanMatches(span: Span, tags: ReadonlyArray<[string, string]>): boolean {
  return tags.every(([k, v]) => {
    if (k === "service.name") return span.service === v;
    if (k === "name") return span.name === v;
    if (k === "status") return v === (span.error ? "error" : "ok") || (v === "unset" && !span.error);
    const a = span.attributes[k];
    return a !== undefined && String(a) === v;
  });
}

function search(url: URL, deps: TempoDeps): Result<unknown, string> {
  const q = url.searchParams;
  const tags = parseTags(q.get("tags"));
  if (!tags.ok) return tags;
  const min = parseDuration(q.get("minDuration"));
  if (!min.ok) return min;
  const max = parseDuration(q.get("maxDuration"));
  if (!max.ok) return max;
  const limitRaw = q.get("limit");
  const limit = limitRaw === null || limitRaw === "" ? DEFAULT_LIMIT : Number(limitRaw);
  if (!Number.isInteger(limit) || limit <= 0) return err(`invalid limit "${limitRaw}"`);
  const now = deps.now();
  const end = parseSeconds(q.get("end"), now.getTime(), "end");
  if (!end.ok) return end;
  const start = parseSeconds(q.get("start"), end.value - HOUR_MS, "start");
  if (!start.ok) return start;
  if (start.value > end.value) return err("invalid time range: start is after end");

  const found: Trace[] = [];
  deps.traces.scan(start.value, end.value, now, (t) => {
    if (min.value !== undefined && t.durationMs < min.value) return true;
    if (max.value !== undefined && t.durationMs > max.value) return true;
    if (tags.value.length > 0 && !t.spans.some((s) => spanMatches(s, tags.value))) return true;
    found.push(t);
    return found.length < Math.min(limit, MAX_LIMIT);
  });
  return ok({
    traces: found.map((t) => ({
      traceID: t.traceId,
      rootServiceName: t.spans[0]?.service ?? "",
      rootTraceName: t.spans[0]?.name ?? "",
      startTimeUnixNano: (BigInt(t.startMs) * 1_000_000n).toString(),
      durationMs: Math.round(t.durationMs),
    })),
  });
}

const nano = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
const attrValue = (v: string | number) => (typeof v === "number" ? { intValue: String(v) } : { stringValue: v });

/** A trace in Tempo's OTLP-JSON shape: one batch per service, spans in call order. */
export function toOtlp(trace: Trace): unknown {
  const byService = new Map<string, Span[]>();
  for (const s of trace.spans) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  return {
    batches: [...byService].map(([service, spans]) => ({
      resource: {
        attributes: [
          { key: "service.name", value: { stringValue: service } },
          { key: "k8s.namespace.name", value: { stringValue: spans[0]?.namespace ?? "" } },
        ],
      },
      scopeSpans: [
        {
          scope: { name: "sandbox-tracer" },
          spans: spans.map((s) => ({
            traceId: trace.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId ?? "",
            name: s.name,
            kind: s.kind,
            startTimeUnixNano: nano(s.startMs),
            endTimeUnixNano: nano(s.startMs + s.durationMs),
            attributes: Object.entries(s.attributes).map(([key, v]) => ({ key, value: attrValue(v) })),
            status: s.error ? { code: "STATUS_CODE_ERROR" } : { code: "STATUS_CODE_UNSET" },
          })),
        },
      ],
    })),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Serves Tempo's query API for one cluster under `/tempo`: trace search and trace by id.
 * Returns false when the path is not Tempo's so the caller can go on.
 */
export async function handleTempoRequest(req: IncomingMessage, res: ServerResponse, url: URL, deps: TempoDeps): Promise<boolean> {
  const path = url.pathname;
  if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return false;
  const sub = path.slice(PREFIX.length);
  const byId = /^\/api\/traces\/([^/]+)$/.exec(sub);
  if (sub !== "/api/search" && !byId) {
    sendText(res, 404, "404 page not found");
    return true;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET");
    sendText(res, 405, "method not allowed");
    return true;
  }
  if (byId) {
    const trace = deps.traces.find((byId[1] as string).toLowerCase(), deps.now());
    if (trace) sendJson(res, 200, toOtlp(trace));
    else sendText(res, 404, "trace not found");
    return true;
  }
  const r = search(url, deps);
  if (r.ok) sendJson(res, 200, r.value);
  else sendText(res, 400, r.error);
  return true;
}
