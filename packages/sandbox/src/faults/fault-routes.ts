import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendJson } from "../api/http-io.js";
import type { FaultRegistry } from "./fault-registry.js";

/**
 * The fault endpoints of the control API (CONTRACTS.md section 2). Answers and returns true for
 * `/sandbox/faults` and `/sandbox/faults/{id}`; returns false for any other path, so the control
 * server can go on to its own routes.
 */
export async function handleFaultRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  registry: Pick<FaultRegistry, "inject" | "list" | "clear">,
): Promise<boolean> {
  const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
  if (url.pathname === "/sandbox/faults") {
    if (method === "GET") {
      sendJson(res, 200, { faults: registry.list() });
    } else if (method === "POST") {
      const text = await readBody(req);
      if (text === undefined) {
        sendJson(res, 413, { error: "request body too large" });
        return true;
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (e) {
        sendJson(res, 400, { error: `body is not JSON: ${(e as Error).message}` });
        return true;
      }
      const injected = registry.inject(body);
      if (injected.ok) sendJson(res, 201, { id: injected.value.id });
      else sendJson(res, 400, { error: injected.error.message });
    } else {
      notAllowed(res, method, url, ["GET", "POST"]);
    }
    return true;
  }
  const m = /^\/sandbox\/faults\/([^/]+)$/.exec(url.pathname);
  if (!m?.[1]) return false;
  if (method !== "DELETE") {
    notAllowed(res, method, url, ["DELETE"]);
    return true;
  }
  const id = decodeURIComponent(m[1]);
  if (registry.clear(id)) sendJson(res, 200, { ok: true, id });
  else sendJson(res, 404, { error: `no fault with id ${id}` });
  return true;
}

function notAllowed(res: ServerResponse, method: string, url: URL, allowed: string[]): void {
  res.setHeader("allow", allowed.join(", "));
  sendJson(res, 405, { error: `${method} is not allowed on ${url.pathname}; use ${allowed.join(" or ")}` });
}
