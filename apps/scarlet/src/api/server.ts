import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import {
  AlertmanagerWebhook,
  ApprovalDecision,
  ApprovalStatus,
  IncidentStatus,
  Timestamp,
  metricsHandler,
  type AuditEvent,
  type AuditStore,
  type Logger,
  type ServiceMetrics,
} from "@autodevops/shared";
import { z } from "zod";
import { basicCredentials, basicMatches, bearerToken, findByToken, secret, secretMatches, type Secret } from "./auth.js";
import { ChangeRequest } from "../runtime/change-requests.js";
import { declaredLength, formatIssues, isJsonContentType, readBodyLimited, sendJson } from "@autodevops/shared";
import type { ScarletApi } from "./scarlet-api.js";
import { writePostmortem } from "../postmortem/postmortem.js";

export const DEFAULT_MAX_BODY_BYTES = 1 << 20;

/** Everything `createScarletServer` needs; `main.ts` builds each piece once. */
export interface ScarletServerOptions {
  api: ScarletApi;
  /** Who may decide approvals; the `user` is what the runtime and the audit log record. */
  approvers: { token: string; user: string }[];
  /** How Alertmanager authenticates on `POST /alerts`: a bearer token, basic auth, or either. */
  alerts: { bearerToken?: string; basic?: { username: string; password: string } };
  /** `query` reads an incident's events for its postmortem. */
  audit: Pick<AuditStore, "append" | "query">;
  /** `scarlet_http_requests_total` is registered here, so one ServiceMetrics serves one server. */
  metrics: ServiceMetrics;
  log: Logger;
  maxBodyBytes?: number;
}

const IncidentsQuery = z.object({
  status: IncidentStatus.optional(),
  since: Timestamp.transform((s) => new Date(s)).optional(),
  // One incident per root cause: incidents folded into another as its symptoms only on request.
  symptoms: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
});
const ApprovalsQuery = z.object({ status: ApprovalStatus.optional() });

type Ctx = { req: IncomingMessage; res: ServerResponse; url: URL; route: string; id: string };
type Handler = (ctx: Ctx) => Promise<void>;
type Route = { pattern: string; match: RegExp; methods: Record<string, Handler> };

/**
 * A refused request: answered, logged and written to the audit log (never with the body or a credential).
 * `code`, when set, is in the answer's body beside `error` (and in the audit row), for callers that act on it.
 */
type Refusal = { status: number; reason: string; actor: string; code?: string; data?: Record<string, string | number | null>; headers?: Record<string, string> };

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Scarlet's HTTP API (CONTRACTS.md section 5), not yet listening. */
export function createScarletServer(opts: ScarletServerOptions): Server {
  const { api, audit, log } = opts;
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const auth = prepareAuth(opts);
  const requests = opts.metrics.counter("scarlet_http_requests_total", "HTTP requests to Scarlet's API, by route pattern, method and status code.", [
    "route",
    "method",
    "code",
  ] as const);
  const serveMetrics = metricsHandler(opts.metrics.registry);

  async function refuse(ctx: Ctx, r: Refusal): Promise<void> {
    const data = { route: ctx.route, method: ctx.req.method ?? "", status: r.status, reason: r.reason, ...(r.code !== undefined ? { code: r.code } : {}), ...r.data };
    log.warn({ ...data, actor: r.actor }, "request refused");
    const appended = await audit.append({ actor: r.actor, type: "input.rejected", data });
    if (!appended.ok) log.error({ ...data, error: appended.error }, "could not audit a refused request");
    // A body left unread stays unread: closing the connection is the only way to stop a sender
    // mid-body (Node would otherwise read and discard the rest to keep the connection alive).
    const headers = ctx.req.complete ? r.headers : { ...r.headers, connection: "close" };
    sendJson(ctx.res, r.status, r.code !== undefined ? { error: r.reason, code: r.code } : { error: r.reason }, headers);
  }

  /** Reads and parses a JSON body against `schema`, or answers the refusal itself and returns undefined. */
  async function readJson<S extends z.ZodType>(ctx: Ctx, schema: S, actor: string, extra: Record<string, string>): Promise<z.output<S> | undefined> {
    const contentLength = declaredLength(ctx.req) ?? null;
    const body = await readBodyLimited(ctx.req, maxBodyBytes);
    if (!body.ok) {
      await refuse(ctx, { status: 413, reason: `body over ${maxBodyBytes} bytes`, actor, data: { ...extra, bodyBytes: body.bytes, contentLength } });
      return undefined;
    }
    const sized = { ...extra, bodyBytes: body.body.length, contentLength };
    let json: unknown;
    try {
      json = JSON.parse(body.body.toString("utf8"));
    } catch {
      await refuse(ctx, { status: 400, reason: "body is not JSON", actor, data: sized });
      return undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      await refuse(ctx, { status: 400, reason: formatIssues(parsed.error), actor, data: sized });
      return undefined;
    }
    return parsed.data;
  }

  const routes: Route[] = [
    { pattern: "/healthz", match: /^\/healthz$/, methods: { GET: async ({ res }) => sendJson(res, 200, { status: "ok" }) } },
    {
      pattern: "/readyz",
      match: /^\/readyz$/,
      methods: {
        GET: async ({ res }) => {
          const r = api.readiness();
          sendJson(res, r.ready ? 200 : 503, { ready: r.ready, checks: r.checks });
        },
      },
    },
    { pattern: "/metrics", match: /^\/metrics$/, methods: { GET: ({ req, res }) => serveMetrics(req, res) } },
    {
      pattern: "/api/incidents",
      match: /^\/api\/incidents$/,
      methods: {
        GET: async ({ res, url }) => {
          const q = IncidentsQuery.safeParse(Object.fromEntries(url.searchParams));
          if (!q.success) return sendJson(res, 400, { error: formatIssues(q.error) });
          const { symptoms, ...query } = q.data;
          const incidents = await api.listIncidents(query);
          sendJson(res, 200, { incidents: symptoms ? incidents : incidents.filter((i) => i.symptomOf === undefined) });
        },
      },
    },
    {
      pattern: "/api/incidents/{id}",
      match: /^\/api\/incidents\/([^/]+)$/,
      methods: {
        GET: async ({ res, id }) => {
          const incident = await api.getIncident(id);
          if (incident === undefined) return sendJson(res, 404, { error: `no incident ${id}` });
          sendJson(res, 200, incident);
        },
      },
    },
    {
      pattern: "/api/incidents/{id}/postmortem",
      match: /^\/api\/incidents\/([^/]+)\/postmortem$/,
      methods: {
        GET: async ({ res, id }) => {
          const incident = await api.getIncident(id);
          if (incident === undefined) return sendJson(res, 404, { error: `no incident ${id}` });
          // Symptoms are folded in after their root opens, so they were updated since then.
          const [events, recent] = await Promise.all([incidentEvents(audit, id), api.listIncidents({ since: new Date(incident.openedAt) })]);
          const pm = writePostmortem({ incident, events, symptoms: recent.filter((i) => i.symptomOf === id), now: new Date() });
          res.writeHead(200, { "content-type": "text/markdown; charset=utf-8" }).end(pm.markdown);
        },
      },
    },
    {
      pattern: "/api/approvals",
      match: /^\/api\/approvals$/,
      methods: {
        GET: async ({ res, url }) => {
          const q = ApprovalsQuery.safeParse(Object.fromEntries(url.searchParams));
          if (!q.success) return sendJson(res, 400, { error: formatIssues(q.error) });
          sendJson(res, 200, { approvals: await api.listApprovals(q.data) });
        },
      },
    },
    {
      pattern: "/api/approvals/{id}",
      match: /^\/api\/approvals\/([^/]+)$/,
      methods: {
        POST: async (ctx) => {
          const ids = { approvalId: ctx.id };
          const token = bearerToken(ctx.req.headers.authorization);
          if (token === undefined) {
            const headers = { "www-authenticate": 'Bearer realm="approvals"' };
            return refuse(ctx, { status: 401, reason: "missing bearer token", actor: "http", data: ids, headers });
          }
          const approver = findByToken(token, auth.approvers);
          if (approver === undefined) return refuse(ctx, { status: 403, reason: "token is not an approver's", actor: "http", data: ids });
          const decision = await readJson(ctx, ApprovalDecision, approver.user, ids);
          if (decision === undefined) return;
          const r = await api.decideApproval(ctx.id, decision, approver.user);
          if (r.ok) return sendJson(ctx.res, 200, r.value);
          switch (r.error.code) {
            case "not_found":
              return refuse(ctx, { status: 404, reason: r.error.message, actor: approver.user, data: ids });
            case "already_decided":
            case "expired":
            case "merge_required":
              return refuse(ctx, { status: 409, reason: r.error.message, actor: approver.user, data: { ...ids, code: r.error.code } });
          }
        },
      },
    },
    {
      pattern: "/api/proposals",
      match: /^\/api\/proposals$/,
      methods: {
        POST: async (ctx) => {
          const token = bearerToken(ctx.req.headers.authorization);
          const proposer = token === undefined ? undefined : findByToken(token, auth.approvers);
          if (proposer === undefined) return refuse(ctx, { status: token === undefined ? 401 : 403, reason: "proposals come from a known approver client (Jamie)", actor: "http", data: {} });
          const body = await readJson(ctx, ChangeRequest, proposer.user, {});
          if (body === undefined) return;
          const r = await api.propose(body);
          if (r.ok) return sendJson(ctx.res, 201, r.value);
          switch (r.error.code) {
            case "not_leader": {
              // Another replica leads the cluster. Closing the connection lets a Service route the
              // caller's retry to any replica, the leader among them.
              const headers = { "retry-after": "1", connection: "close" };
              return refuse(ctx, { status: 503, reason: r.error.message, actor: proposer.user, code: r.error.code, data: { cluster: r.error.cluster }, headers });
            }
          }
        },
      },
    },
    {
      pattern: "/alerts",
      match: /^\/alerts$/,
      methods: {
        POST: async (ctx) => {
          const contentLength = declaredLength(ctx.req) ?? null;
          if (!auth.alertsAuthorized(ctx.req.headers.authorization)) {
            return refuse(ctx, { status: 401, reason: "missing or wrong credentials", actor: "http", data: { contentLength }, headers: auth.alertsChallenge });
          }
          if (!isJsonContentType(ctx.req.headers["content-type"])) {
            const reason = `content-type must be application/json, not ${ctx.req.headers["content-type"] ?? "(none)"}`;
            return refuse(ctx, { status: 415, reason, actor: "alertmanager", data: { contentLength } });
          }
          const payload = await readJson(ctx, AlertmanagerWebhook, "alertmanager", {});
          if (payload === undefined) return;
          const r = await api.ingestAlerts(payload);
          log.info({ receiver: payload.receiver, groupKey: payload.groupKey, alerts: payload.alerts.length, ...r }, "alert notification ingested");
          sendJson(ctx.res, 200, { accepted: r.accepted, duplicates: r.duplicates });
        },
      },
    },
  ];

  return createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://scarlet");
    const method = req.method ?? "";
    let route = "unmatched";
    let id = "";
    let found: Route | undefined;
    for (const r of routes) {
      const m = r.match.exec(url.pathname);
      if (m) {
        found = r;
        route = r.pattern;
        id = m[1] ?? "";
        break;
      }
    }
    // Route patterns, not raw paths, keep the label set bounded.
    res.once("finish", () => requests.inc({ route, method: KNOWN_METHODS.has(method) ? method : "other", code: String(res.statusCode) }));
    const ctx: Ctx = { req, res, url, route, id };
    void dispatch(ctx, found).catch((error: unknown) => {
      log.error({ err: error, route, method }, "request failed");
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      else res.destroy();
    });
  });

  async function dispatch(ctx: Ctx, found: Route | undefined): Promise<void> {
    const { req, res, url } = ctx;
    if (found === undefined) return sendJson(res, 404, { error: `no route ${url.pathname}` });
    const allowed = Object.keys(found.methods);
    // Node drops the body of a HEAD response itself, so every GET route answers HEAD too.
    if (allowed.includes("GET")) allowed.push("HEAD");
    const method = req.method === "HEAD" && found.methods.GET ? "GET" : (req.method ?? "");
    const handler = found.methods[method];
    if (handler === undefined) return sendJson(res, 405, { error: `${req.method} not allowed on ${found.pattern}` }, { allow: allowed.join(", ") });
    if (found.pattern.includes("{id}")) {
      try {
        ctx.id = decodeURIComponent(ctx.id);
      } catch {
        return sendJson(res, 400, { error: "id: malformed percent-encoding" });
      }
    }
    await handler(ctx);
  }
}

/** An incident's audit events, oldest first, a page of 1000 at a time (at most 5000). */
async function incidentEvents(audit: Pick<AuditStore, "query">, incidentId: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for (let cursor: number | undefined; events.length < 5000; ) {
    const r = await audit.query({ incidentId, order: "asc", limit: 1000, ...(cursor !== undefined ? { cursor } : {}) });
    if (!r.ok) throw new Error(`audit log of ${incidentId}: ${r.error.message}`);
    events.push(...r.value);
    if (r.value.length < 1000) break;
    cursor = r.value.at(-1)?.seq;
  }
  return events;
}

type PreparedAuth = {
  approvers: { token: Secret; user: string }[];
  alertsAuthorized(header: string | undefined): boolean;
  alertsChallenge: Record<string, string>;
};

/** Hashes every configured secret once; refuses empty ones, which would make a credential meaningless. */
function prepareAuth(opts: ScarletServerOptions): PreparedAuth {
  const { bearerToken: alertToken, basic } = opts.alerts;
  if (alertToken === undefined && basic === undefined) throw new Error("createScarletServer: alerts needs a bearerToken, basic credentials or both");
  if (alertToken === "") throw new Error("createScarletServer: alerts.bearerToken is empty");
  if (basic !== undefined && (basic.username === "" || basic.password === "")) throw new Error("createScarletServer: alerts.basic needs a username and a password");
  for (const a of opts.approvers) {
    if (a.token === "" || a.user === "") throw new Error("createScarletServer: every approver needs a token and a user");
  }
  const bearer = alertToken === undefined ? undefined : secret(alertToken);
  const basicSecret = basic === undefined ? undefined : { username: secret(basic.username), password: secret(basic.password) };
  const challenges = [bearer ? 'Bearer realm="alerts"' : undefined, basicSecret ? 'Basic realm="alerts", charset="UTF-8"' : undefined].filter((c) => c !== undefined);
  return {
    approvers: opts.approvers.map((a) => ({ token: secret(a.token), user: a.user })),
    alertsAuthorized(header) {
      const token = bearerToken(header);
      if (token !== undefined) return bearer !== undefined && secretMatches(token, bearer);
      const given = basicCredentials(header);
      return given !== undefined && basicSecret !== undefined && basicMatches(given, basicSecret);
    },
    alertsChallenge: { "www-authenticate": challenges.join(", ") },
  };
}
