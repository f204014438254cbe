import { sendJson } from "@autodevops/shared";
import { z } from "zod";
import type { RateLimiter } from "../../auth/rate-limit.js";
import type { Sessions } from "../../auth/sessions.js";
import type { UserDirectory } from "../../auth/users.js";
import { jsonBody, type Route } from "../router.js";

const Login = z.strictObject({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });

/** Sign-in, sign-out and "who am I" (with the CSRF token the pages send back on writes). */
export function authRoutes(d: { users: UserDirectory; sessions: Sessions; loginLimiter: RateLimiter }): Route[] {
  return [
    {
      method: "POST",
      path: /^\/api\/auth\/login$/,
      role: null,
      async handler(ctx) {
        const limit = d.loginLimiter.take(`login:${ctx.req.socket.remoteAddress ?? "?"}`);
        if (!limit.ok) return sendJson(ctx.res, 429, { error: "too many sign-in attempts; wait a little" }, { "retry-after": String(limit.retryAfterSec) });
        const body = await jsonBody(ctx, Login, 4096);
        if (!body) return;
        const user = await d.users.signIn(body.username, body.password);
        if (!user) return sendJson(ctx.res, 401, { error: "that name and password do not match" });
        const { cookies, csrf } = await d.sessions.issue(user);
        sendJson(ctx.res, 200, { user, csrf }, { "set-cookie": cookies });
      },
    },
    {
      method: "POST",
      path: /^\/api\/auth\/logout$/,
      role: "viewer",
      async handler(ctx) {
        sendJson(ctx.res, 200, { ok: true }, { "set-cookie": d.sessions.cleared() });
      },
    },
    {
      method: "GET",
      path: /^\/api\/me$/,
      role: "viewer",
      async handler({ res, principal }) {
        sendJson(res, 200, { user: principal.user, ...(principal.kind === "session" ? { csrf: principal.csrf } : {}) });
      },
    },
  ];
}
