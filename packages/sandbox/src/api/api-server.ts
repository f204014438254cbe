import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { Logger } from "@autodevops/shared";
import type { SimCluster } from "../cluster.js";
import { authenticate, authorize, type SandboxTokens } from "./auth.js";
import { coreVersions, group, groupList, resourceList, SERVER_VERSION, servedGroups } from "./discovery.js";
import { sendFailure, sendJson } from "./http-io.js";
import type { MutationLog } from "./mutation-log.js";
import { LogArchive } from "../loki/log-archive.js";
import { handleLokiRequest } from "../loki/loki-api.js";
import { handleTempoRequest, type TempoDeps } from "../tempo/tempo-api.js";
import { openApiV3Document, openApiV3Index } from "./openapi.js";
import { parsePath } from "./paths.js";
import { podLog } from "./pod-log-handler.js";
import type { RequestContext } from "./request-context.js";
import { create, getOne, list, patch, remove, removeCollection, update } from "./resource-handlers.js";
import { forbidden, internal, methodNotAllowed, notFoundPath, unauthorized } from "./status.js";
import { evict, scale } from "./subresource-handlers.js";
import type { ServingCertificate } from "./tls.js";
import { watch } from "./watch-handler.js";

export interface ApiServerDeps {
  cluster: SimCluster;
  tokens: SandboxTokens;
  mutations: MutationLog;
  log: Logger;
  /** The serving certificate (see tls.ts): kubectl sends tokens only over TLS. */
  tls: ServingCertificate;
  /** The cluster's Prometheus exposition for `GET /metrics` (telemetry/), if served. */
  metrics?: () => string | undefined;
  /** The cluster's recent traces for Tempo's API (tempo/), if served. */
  traces?: TempoDeps["traces"];
  now?: () => Date;
}

/** The RBAC verb of a request, as the real authorizer names it. */
function verbOf(method: string, hasName: boolean, isWatch: boolean): string | undefined {
  switch (method) {
    case "GET":
    case "HEAD":
      return isWatch ? "watch" : hasName ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return hasName ? "delete" : "deletecollection";
    default:
      return undefined;
  }
}

/**
 * One cluster's Kubernetes API over HTTPS: discovery, the resource verbs, watch, the
 * log/scale/eviction/status subresources, bearer-token identities and RBAC. Secrets' values
 * never reach a log line: requests are logged by path and verb only.
 */
export function createApiServer(deps: ApiServerDeps): Server {
  const groups = servedGroups();
  const now = deps.now ?? (() => new Date());
  const log = deps.log.child({ cluster: deps.cluster.name });
  // Loki's copy of the container logs, shipped from now on (before the estate's pods start).
  const logArchive = new LogArchive(deps.cluster);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = parsePath(url.pathname, groups);
    if (path.kind === "health") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    const who = authenticate(req.headers.authorization, deps.tokens);
    if (!who) return sendFailure(res, unauthorized());
    const method = req.method ?? "GET";
    const readOnly = method === "GET" || method === "HEAD";
    switch (path.kind) {
      case "version":
        return sendJson(res, 200, SERVER_VERSION);
      case "loki":
        // Loki's API over this cluster's container logs; any authenticated identity may read.
        if (!(await handleLokiRequest(req, res, url, { archive: logArchive, now }))) sendFailure(res, notFoundPath());
        return;
      case "tempo":
        if (!deps.traces || !(await handleTempoRequest(req, res, url, { traces: deps.traces, now }))) sendFailure(res, notFoundPath());
        return;
      case "metrics": {
        // Any authenticated identity may scrape, as with a kube-state-metrics Service.
        const body = deps.metrics?.();
        if (body === undefined) return sendFailure(res, notFoundPath());
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8", "content-length": Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      case "core-versions":
        return sendJson(res, 200, coreVersions(req.headers.host ?? "127.0.0.1"));
      case "groups":
        return sendJson(res, 200, groupList());
      case "group":
        return sendJson(res, 200, group(path.group));
      case "resource-list":
        return sendJson(res, 200, resourceList(path.group));
      case "openapi-v3-index":
        return sendJson(res, 200, openApiV3Index());
      case "openapi-v3": {
        const doc = openApiV3Document(path.path);
        return doc ? sendJson(res, 200, doc) : sendFailure(res, notFoundPath());
      }
      case "unknown":
        return sendFailure(res, notFoundPath());
    }
    if (!readOnly && method !== "POST" && method !== "PUT" && method !== "PATCH" && method !== "DELETE") {
      return sendFailure(res, methodNotAllowed(method));
    }
    const isWatch = readOnly && ["true", "1"].includes(url.searchParams.get("watch") ?? "");
    const verb = verbOf(method, path.name !== undefined, isWatch) ?? "get";
    const authz = {
      verb,
      resource: path.type.plural,
      group: path.type.group,
      ...(path.subresource ? { subresource: path.subresource } : {}),
      ...(path.namespace !== undefined ? { namespace: path.namespace } : {}),
    };
    if (!authorize(who, authz)) {
      const resource = path.subresource ? `${path.type.plural}/${path.subresource}` : path.type.plural;
      return sendFailure(res, forbidden(who.user, verb, resource, path.type.group, path.namespace, path.name));
    }
    const ctx: RequestContext = {
      req,
      res,
      url,
      who,
      type: path.type,
      ...(path.namespace !== undefined ? { namespace: path.namespace } : {}),
      ...(path.name !== undefined ? { name: path.name } : {}),
      ...(path.subresource !== undefined ? { subresource: path.subresource } : {}),
      cluster: deps.cluster,
      mutations: deps.mutations,
      now,
      log,
    };
    if (path.type.namespaced && path.name !== undefined && path.namespace === undefined) return sendFailure(res, notFoundPath());

    switch (path.subresource) {
      case "log":
        return readOnly ? podLog(ctx) : sendFailure(res, methodNotAllowed(method));
      case "scale":
        return method === "GET" || method === "PUT" || method === "PATCH" ? scale(ctx, method) : sendFailure(res, methodNotAllowed(method));
      case "eviction":
        return method === "POST" ? evict(ctx) : sendFailure(res, methodNotAllowed(method));
    }
    if (isWatch) return watch(ctx);
    if (path.name === undefined) {
      if (readOnly) return list(ctx);
      if (method === "POST") return create(ctx);
      if (method === "DELETE") return removeCollection(ctx);
      return sendFailure(res, methodNotAllowed(method));
    }
    if (readOnly) return getOne(ctx);
    if (method === "PUT") return update(ctx);
    if (method === "PATCH") return patch(ctx);
    if (method === "DELETE" && !path.subresource) return remove(ctx);
    return sendFailure(res, methodNotAllowed(method));
  }

  return createServer({ key: deps.tls.key, cert: deps.tls.cert }, (req, res) => {
    const started = Date.now();
    handle(req, res)
      .catch((e: unknown) => {
        log.error({ err: { message: (e as Error).message, stack: (e as Error).stack }, method: req.method, path: req.url?.split("?")[0] }, "api request failed");
        if (!res.headersSent) sendFailure(res, internal((e as Error).message));
        else res.end();
      })
      .finally(() => {
        log.debug({ method: req.method, path: req.url?.split("?")[0], status: res.statusCode, ms: Date.now() - started }, "api request");
      });
  });
}
