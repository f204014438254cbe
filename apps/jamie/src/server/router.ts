import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { formatIssues, isJsonContentType, readBodyLimited, sendJson } from "@autodevops/shared";
import type { Principal } from "../auth/sessions.js";
import { atLeast, type Role } from "../auth/users.js";

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
  /** Set for routes that need a principal (every route but sign-in and health). */
  principal: Principal;
}

export interface Route {
  method: "GET" | "POST" | "DELETE";
  path: RegExp;
  /** Who may call it: `null` for anyone (sign-in), else the least role. */
  role: Role | null;
  handler: (ctx: RequestContext) => Promise<void>;
}

export const ANONYMOUS: Principal = { kind: "api-key", user: { name: "anonymous", role: "viewer" } };

/** Reads and validates a JSON body; answers 413/415/400 itself and returns undefined then. */
export async function jsonBody<T extends z.ZodType>(ctx: RequestContext, schema: T, maxBytes = 64 * 1024): Promise<z.infer<T> | undefined> {
  if (!isJsonContentType(ctx.req.headers["content-type"])) {
    sendJson(ctx.res, 415, { error: "expected Content-Type: application/json" });
    return undefined;
  }
  const read = await readBodyLimited(ctx.req, maxBytes);
  if (!read.ok) {
    sendJson(ctx.res, 413, { error: `body over ${maxBytes} bytes` }, { connection: "close" });
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(read.body.toString("utf8"));
  } catch {
    sendJson(ctx.res, 400, { error: "body is not valid JSON" });
    return undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    sendJson(ctx.res, 400, { error: formatIssues(parsed.error) });
    return undefined;
  }
  return parsed.data;
}

/** Whether `p` has at least `role`. */
export const allowed = (p: Principal, role: Role | null): boolean => role === null || atLeast(p.user.role, role);
