import { request as httpRequest, Agent as HttpAgent } from "node:http";
import { request as httpsRequest, Agent as HttpsAgent } from "node:https";
import { ok, err, type Result } from "@autodevops/shared";
import type { Endpoint } from "@autodevops/shared";
import { withDeadline } from "../core/deadline.js";

/** Why a request to a backend did not give a usable answer. */
export type UpstreamError =
  | { code: "http"; status: number; body: string }
  | { code: "unreachable"; message: string }
  | { code: "timeout"; ms: number }
  | { code: "cancelled" }
  | { code: "too_large"; limitBytes: number }
  | { code: "bad_json"; message: string };

export type UpstreamOptions = {
  /** Sent as `Authorization: Bearer …`. */
  token?: string | undefined;
  /** PEM of a private CA the backend's certificate chains to (besides the system's). */
  ca?: string | undefined;
  /** Per request, on top of the caller's signal. */
  timeoutMs?: number;
  /** A larger body is refused rather than parsed: a model could never read it anyway. */
  maxBodyBytes?: number;
};

export const DEFAULT_UPSTREAM_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

type Params = Record<string, string | number | undefined | readonly string[]>;

/** A backend's HTTP API: GET with query parameters, JSON back. */
export interface HttpUpstream {
  readonly name: string;
  readonly baseUrl: string;
  getJson(path: string, params: Params, signal: AbortSignal): Promise<Result<unknown, UpstreamError>>;
  close(): void;
}

/** A client for one endpoint, with keep-alive connections, its CA and bearer token. */
export function createHttpUpstream(endpoint: Endpoint, opts: UpstreamOptions = {}): HttpUpstream {
  const base = new URL(endpoint.url);
  const https = base.protocol === "https:";
  const agent = https ? new HttpsAgent({ keepAlive: true, ...(opts.ca ? { ca: opts.ca } : {}) }) : new HttpAgent({ keepAlive: true });
  const timeoutMs = opts.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const maxBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return {
    name: endpoint.name,
    baseUrl: endpoint.url,
    getJson: async (path, params, callerSignal) => {
      const url = new URL(`${base.pathname.replace(/\/+$/, "")}${path}`, base);
      for (const [k, v] of Object.entries(params)) {
        if (v === undefined) continue;
        for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(one));
      }
      const { signal, clear } = withDeadline(callerSignal, timeoutMs, url.pathname);
      const got = await get(url, { agent, https, token: opts.token, signal, maxBytes }).finally(clear);
      if (!got.ok) {
        if (got.error.code === "cancelled" && !callerSignal.aborted) return err({ code: "timeout", ms: timeoutMs });
        return got;
      }
      if (got.value.status < 200 || got.value.status >= 300) return err({ code: "http", status: got.value.status, body: got.value.body });
      try {
        return ok(JSON.parse(got.value.body) as unknown);
      } catch (e) {
        return err({ code: "bad_json", message: (e as Error).message });
      }
    },
    close: () => agent.destroy(),
  };
}

type GetOptions = { agent: HttpAgent; https: boolean; token: string | undefined; signal: AbortSignal; maxBytes: number };

function get(url: URL, o: GetOptions): Promise<Result<{ status: number; body: string }, UpstreamError>> {
  return new Promise((resolve) => {
    if (o.signal.aborted) return resolve(err({ code: "cancelled" }));
    const headers: Record<string, string> = { accept: "application/json" };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const req = (o.https ? httpsRequest : httpRequest)(url, { method: "GET", agent: o.agent, headers, signal: o.signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > o.maxBytes) {
          req.destroy();
          resolve(err({ code: "too_large", limitBytes: o.maxBytes }));
        } else chunks.push(c);
      });
      res.on("end", () => resolve(ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") })));
      res.on("error", (e) => resolve(err(o.signal.aborted ? { code: "cancelled" } : { code: "unreachable", message: e.message })));
    });
    req.on("error", (e) => resolve(err(o.signal.aborted ? { code: "cancelled" } : { code: "unreachable", message: e.message })));
    req.end();
  });
}

/** A sentence for a tool error: which backend, and what went wrong, in the backend's own words when it gave some. */
export function describeUpstreamError(what: string, upstream: Pick<HttpUpstream, "name" | "baseUrl">, e: UpstreamError): string {
  const who = `${what} (${upstream.name === "default" ? upstream.baseUrl : `${upstream.name}: ${upstream.baseUrl}`})`;
  switch (e.code) {
    case "http":
      return `${who} answered ${e.status}: ${e.body.trim().slice(0, 2000) || "(no body)"}`;
    case "unreachable":
      return `${who} is unreachable: ${e.message}`;
    case "timeout":
      return `${who} did not answer within ${e.ms} ms; narrow the query (shorter range, fewer series) or try again`;
    case "cancelled":
      return `the request to ${who} was cancelled`;
    case "too_large":
      return `${who} sent more than ${Math.round(e.limitBytes / 1024 / 1024)} MiB; narrow the query (labels, time range, limit)`;
    case "bad_json":
      return `${who} sent a body that is not JSON (${e.message}); is the URL the API's base?`;
  }
}
