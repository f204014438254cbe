import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { sendJson, type AuditStore, type Logger } from "@autodevops/shared";
import type { Sessions } from "../auth/sessions.js";
import { allowed, ANONYMOUS, type Route } from "./router.js";

export interface PortalServerOptions {
  routes: readonly Route[];
  sessions: Sessions;
  audit: AuditStore;
  log: Logger;
  /** Next's request handler for the pages; absent in API-only tests. */
  pages?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
};

/** Pages anyone may load: the sign-in page and Next's static assets. */
const PUBLIC_PAGE = /^\/(login(\/|$)|_next\/|favicon\.ico$)/;

/**
 * Jamie's HTTP server: `/api/*` through the route table (authenticated, role-checked, CSRF-checked
 * for a session's writes), every other path to Next's pages — after a sign-in check, so a page
 * never renders for someone who is not signed in.
 */
export function createPortalServer(o: PortalServerOptions): Server {
  const refuse = async (req: IncomingMessage, res: ServerResponse, status: number, error: string, who: string) => {
    o.log.warn({ path: req.url, method: req.method, who, status }, "portal request refused");
    await o.audit.append({ actor: "jamie", type: "input.rejected", data: { path: (req.url ?? "").split("?")[0], method: req.method, who, status, error } }).catch(() => undefined);
    sendJson(res, status, { error });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const url = new URL(req.url ?? "/", "http://jamie.local");
    if (url.pathname === "/healthz") return sendJson(res, 200, { status: "ok" });
    if (!url.pathname.startsWith("/api/")) {
      if (!o.pages) return sendJson(res, 404, { error: "no pages in this server" });
      if (!PUBLIC_PAGE.test(url.pathname) && !(await o.sessions.authenticate(req))) {
        res.writeHead(302, { location: `/login?next=${encodeURIComponent(url.pathname + url.search)}` });
        return void res.end();
      }
      return o.pages(req, res);
    }
    const matching = o.routes.filter((r) => r.path.test(url.pathname));
    const route = matching.find((r) => r.method === req.method);
    if (!route) {
      if (matching.length === 0) return sendJson(res, 404, { error: `no API at ${url.pathname}` });
      return sendJson(res, 405, { error: `${req.method} is not allowed here` }, { allow: matching.map((r) => r.method).join(", ") });
    }
    const params = route.path.exec(url.pathname)?.slice(1).map((p) => decodeURIComponent(p)) ?? [];
    if (route.role === null) return route.handler({ req, res, url, params, principal: ANONYMOUS });
    const principal = await o.sessions.authenticate(req);
    if (!principal) return sendJson(res, 401, { error: "sign in first, or send the API key as a bearer token" }, { "www-authenticate": 'Bearer realm="jamie"' });
    if (!allowed(principal, route.role)) return refuse(req, res, 403, `needs the ${route.role} role; ${principal.user.name} is a ${principal.user.role}`, principal.user.name);
    if (req.method !== "GET" && !o.sessions.csrfOk(principal, req)) return refuse(req, res, 403, "the CSRF token is missing or wrong: reload the page", principal.user.name);
    await route.handler({ req, res, url, params, principal });
  };

  return createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      o.log.error({ err: e, path: req.url }, "portal request failed");
      if (!res.headersSent) sendJson(res, 500, { error: "Jamie hit an internal error; it is logged" });
      else res.end();
    });
  });
}
