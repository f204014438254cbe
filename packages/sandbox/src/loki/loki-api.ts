import type { IncomingMessage, ServerResponse } from "node:http";
import { err, ok, type Result } from "@autodevops/shared";
import { activeStreams, queryEntries, type Direction, type LokiCluster } from "./log-streams.js";
import { parseLogQuery } from "./logql.js";

export interface LokiDeps {
  archive: LokiCluster["archive"];
  now: () => Date;
}

const PREFIX = "/loki";
const NS_PER_MS = 1_000_000n;
const HOUR_NS = 3_600_000_000_000n;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 5000;

const nowNs = (now: Date): bigint => BigInt(now.getTime()) * NS_PER_MS;

/**
 * A Loki timestamp as Loki reads it: a float is seconds, an integer of at most 10 digits is
 * seconds, a longer one nanoseconds, anything else RFC3339.
 */
export function parseLokiTime(value: string | null, fallback: bigint): Result<bigint, string> {
  if (value === null || value === "") return ok(fallback);
  if (/^-?\d+\.\d*$/.test(value)) {
    const [s = "0", frac = ""] = value.split(".");
    const nanos = BigInt((frac + "000000000").slice(0, 9));
    const secs = BigInt(s);
    return ok(secs * 1_000_000_000n + (value.startsWith("-") ? -nanos : nanos));
  }
  if (/^-?\d+$/.test(value)) {
    const n = BigInt(value);
    return ok(value.replace("-", "").length <= 10 ? n * 1_000_000_000n : n);
  }
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(ms)) return err(`cannot parse "${value}" to a valid timestamp`);
  return ok(BigInt(ms) * NS_PER_MS + BigInt(((m[2] ?? "") + "000000000").slice(0, 9)));
}

function sendText(res: ServerResponse, code: number, body: string): void {
  const text = body.endsWith("\n") ? body : `${body}\n`;
  res.writeHead(code, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sendJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

interface Range {
  startNs: bigint;
  endNs: bigint;
}

/** start/end with Loki's defaults: end now, start `lookbackNs` before end. */
function parseRange(url: URL, now: Date, lookbackNs: bigint, endParam = "end"): Result<Range, string> {
  const end = parseLokiTime(url.searchParams.get(endParam), nowNs(now));
  if (!end.ok) return err(`invalid parameter "${endParam}": ${end.error}`);
  const start = parseLokiTime(url.searchParams.get("start"), end.value - lookbackNs);
  if (!start.ok) return err(`invalid parameter "start": ${start.error}`);
  if (end.value < start.value) return err("end timestamp must not be before or equal to start time");
  return ok({ startNs: start.value, endNs: end.value });
}

function parseLimit(url: URL): Result<number, string> {
  const raw = url.searchParams.get("limit");
  if (raw === null || raw === "") return ok(DEFAULT_LIMIT);
  if (!/^\d+$/.test(raw)) return err(`invalid parameter "limit": cannot parse "${raw}" to a valid integer`);
  const limit = Number(raw);
  if (limit <= 0) return err("limit must be a positive value");
  if (limit > MAX_LIMIT) return err(`max entries limit per query exceeded, limit > max_entries_limit (${limit} > ${MAX_LIMIT})`);
  return ok(limit);
}

function parseDirection(url: URL): Result<Direction, string> {
  const raw = (url.searchParams.get("direction") ?? "").toLowerCase();
  if (raw === "") return ok("backward");
  if (raw === "forward" || raw === "backward") return ok(raw);
  return err(`invalid parameter "direction": invalid direction "${raw}"`);
}

function streamsQuery(url: URL, deps: LokiDeps, instant: boolean): Result<unknown, string> {
  const query = url.searchParams.get("query");
  if (query === null || query.trim() === "") return err('invalid parameter "query": query must not be empty');
  const parsed = parseLogQuery(query);
  if (!parsed.ok) return parsed;
  // An instant log query reads like a range query ending at `time`.
  const range = parseRange(url, deps.now(), HOUR_NS, instant ? "time" : "end");
  if (!range.ok) return range;
  const limit = parseLimit(url);
  if (!limit.ok) return limit;
  const direction = parseDirection(url);
  if (!direction.ok) return direction;
  const result = queryEntries({ archive: deps.archive, now: deps.now() }, parsed.value, { ...range.value, limit: limit.value, direction: direction.value });
  return ok({ status: "success", data: { resultType: "streams", result, stats: {} } });
}

/** Labels and their values over the streams with lines in the range (Loki's default: the last 6h). */
function labelIndex(url: URL, deps: LokiDeps): Result<Map<string, Set<string>>, string> {
  const range = parseRange(url, deps.now(), 6n * HOUR_NS);
  if (!range.ok) return range;
  const q = url.searchParams.get("query");
  let matchers;
  if (q) {
    const parsed = parseLogQuery(q);
    if (!parsed.ok) return parsed;
    matchers = parsed.value.matchers;
  }
  const index = new Map<string, Set<string>>();
  for (const s of activeStreams({ archive: deps.archive, now: deps.now() }, range.value.startNs, range.value.endNs, matchers)) {
    for (const [k, v] of Object.entries(s.labels)) {
      let values = index.get(k);
      if (!values) index.set(k, (values = new Set()));
      values.add(v);
    }
  }
  return ok(index);
}

const sorted = (values: Iterable<string>): string[] => [...values].sort();

/**
 * Serves Loki's query API for one cluster under `/loki`: query_range, query (log queries only),
 * labels and label values. Returns false when the path is not Loki's so the caller can go on.
 */
export async function handleLokiRequest(req: IncomingMessage, res: ServerResponse, url: URL, deps: LokiDeps): Promise<boolean> {
  const path = url.pathname;
  if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return false;
  const sub = path.slice(PREFIX.length);

  let answer: (() => Result<unknown, string>) | undefined;
  if (sub === "/api/v1/query_range") answer = () => streamsQuery(url, deps, false);
  else if (sub === "/api/v1/query") answer = () => streamsQuery(url, deps, true);
  else if (sub === "/api/v1/labels" || sub === "/api/v1/label") {
    answer = () => {
      const index = labelIndex(url, deps);
      return index.ok ? ok({ status: "success", data: sorted(index.value.keys()) }) : index;
    };
  } else {
    const m = /^\/api\/v1\/label\/([^/]+)\/values$/.exec(sub);
    if (m) {
      let name: string;
      try {
        name = decodeURIComponent(m[1] as string);
      } catch {
        name = m[1] as string;
      }
      answer = () => {
        const index = labelIndex(url, deps);
        return index.ok ? ok({ status: "success", data: sorted(index.value.get(name) ?? []) }) : index;
      };
    }
  }
  if (!answer) {
    sendText(res, 404, "404 page not found");
    return true;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET");
    sendText(res, 405, "method not allowed");
    return true;
  }
  const r = answer();
  if (r.ok) sendJson(res, r.value);
  else sendText(res, 400, r.error);
  return true;
}
