import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import type { Role, User } from "./users.js";

export const SESSION_COOKIE = "jamie_session";
export const CSRF_COOKIE = "jamie_csrf";
export const CSRF_HEADER = "x-csrf-token";
const SESSION_HOURS = 12;

/** Who a request acts for: a signed-in person (with the session's CSRF token), or the API key. */
export type Principal = { kind: "session"; user: User; csrf: string } | { kind: "api-key"; user: User };

const Claims = z.object({ sub: z.string().min(1), role: z.enum(["viewer", "approver", "admin"]), csrf: z.string().min(16) });

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Sessions as HS256 JWTs in an HttpOnly cookie, so any Jamie replica with the same secret reads
 * them (no session store). Each carries a CSRF token, also set in a readable cookie: a write with
 * the session cookie must echo it in `x-csrf-token`, which a cross-site form cannot do.
 */
export class Sessions {
  readonly #key: Uint8Array;
  constructor(
    secret: string,
    private readonly opts: { secure: boolean; apiKey: string | undefined; now?: () => Date },
  ) {
    this.#key = new TextEncoder().encode(secret);
  }

  async issue(user: User): Promise<{ cookies: string[]; csrf: string }> {
    const csrf = randomBytes(24).toString("base64url");
    const now = Math.floor((this.opts.now?.() ?? new Date()).getTime() / 1000);
    const token = await new SignJWT({ role: user.role, csrf }).setProtectedHeader({ alg: "HS256" }).setSubject(user.name).setIssuedAt(now).setExpirationTime(now + SESSION_HOURS * 3600).sign(this.#key);
    const attrs = `Path=/; SameSite=Lax; Max-Age=${SESSION_HOURS * 3600}${this.opts.secure ? "; Secure" : ""}`;
    return { cookies: [`${SESSION_COOKIE}=${token}; HttpOnly; ${attrs}`, `${CSRF_COOKIE}=${csrf}; ${attrs}`], csrf };
  }

  cleared(): string[] {
    return [SESSION_COOKIE, CSRF_COOKIE].map((n) => `${n}=; Path=/; Max-Age=0; SameSite=Lax`);
  }

  /** The principal of a request: the API key as a bearer token, or a valid session cookie. */
  async authenticate(req: IncomingMessage): Promise<Principal | undefined> {
    const auth = req.headers.authorization;
    if (auth?.startsWith("Bearer ")) {
      const key = auth.slice(7).trim();
      // Programmatic access reads and chats; deciding approvals needs a person.
      return this.opts.apiKey && safeEqual(key, this.opts.apiKey) ? { kind: "api-key", user: { name: "api-key", role: "viewer" } } : undefined;
    }
    const token = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (!token) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.#key, { algorithms: ["HS256"], ...(this.opts.now ? { currentDate: this.opts.now() } : {}) });
      const c = Claims.safeParse(payload);
      return c.success ? { kind: "session", user: { name: c.data.sub, role: c.data.role as Role }, csrf: c.data.csrf } : undefined;
    } catch {
      return undefined;
    }
  }

  /** A write by a session must echo its CSRF token; the API key's requests carry no ambient credential. */
  csrfOk(p: Principal, req: IncomingMessage): boolean {
    if (p.kind === "api-key") return true;
    const sent = req.headers[CSRF_HEADER];
    return typeof sent === "string" && safeEqual(sent, p.csrf);
  }
}
