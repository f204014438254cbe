import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./passwords.js";
import { RateLimiter } from "./rate-limit.js";
import { CSRF_HEADER, Sessions } from "./sessions.js";
import { UserDirectory } from "./users.js";

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const cookieOf = (cookies: string[]) => cookies.map((c) => c.split(";")[0]).join("; ");

describe("portal sign-in", () => {
  it("hashes with a fresh salt and checks passwords in constant time", async () => {
    const a = await hashPassword("correct horse");
    expect(a).toMatch(/^scrypt\$[\w-]+\$[\w-]+$/);
    expect(await hashPassword("correct horse")).not.toBe(a);
    expect(await verifyPassword("correct horse", a)).toBe(true);
    expect(await verifyPassword("correct hors", a)).toBe(false);
    expect(await verifyPassword("x", "md5$abc")).toBe(false);
  });

  it("signs in configured users with their role, and demo users only outside production", async () => {
    const dir = await UserDirectory.fromConfig({ users: [{ name: "alice", role: "approver", passwordHash: await hashPassword("pw-alice-1") }], demoPassword: undefined, sessionSecret: undefined }, "production");
    expect(await dir.signIn("alice", "pw-alice-1")).toEqual({ name: "alice", role: "approver" });
    expect(await dir.signIn("alice", "wrong")).toBeUndefined();
    expect(await dir.signIn("mallory", "pw-alice-1")).toBeUndefined();
    await expect(UserDirectory.fromConfig({ users: undefined, demoPassword: "demo-pass-1", sessionSecret: undefined }, "production")).rejects.toThrow(/JAMIE_USERS is required/);
    const demo = await UserDirectory.fromConfig({ users: undefined, demoPassword: "demo-pass-1", sessionSecret: undefined }, "development");
    expect(await demo.signIn("viewer", "demo-pass-1")).toEqual({ name: "viewer", role: "viewer" });
    expect(await demo.signIn("approver", "demo-pass-1")).toEqual({ name: "approver", role: "approver" });
  });
});

describe("sessions", () => {
  const secret = "s".repeat(40);

  it("reads back a session it issued, and refuses a forged, tampered or expired one", async () => {
    let now = new Date("2026-11-24T10:00:00Z");
    const s = new Sessions(secret, { secure: false, apiKey: undefined, now: () => now });
    const { cookies, csrf } = await s.issue({ name: "alice", role: "approver" });
    expect(cookies[0]).toMatch(/HttpOnly/);
    const p = await s.authenticate(req({ cookie: cookieOf(cookies) }));
    expect(p).toEqual({ kind: "session", user: { name: "alice", role: "approver" }, csrf });
    const forged = await new Sessions("f".repeat(40), { secure: false, apiKey: undefined, now: () => now }).issue({ name: "alice", role: "admin" });
    expect(await s.authenticate(req({ cookie: cookieOf(forged.cookies) }))).toBeUndefined();
    const token = cookieOf(cookies).split(";")[0] ?? "";
    const [h, body, sig] = token.split("=")[1]?.split(".") ?? [];
    const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body ?? "", "base64url").toString()), role: "admin" })).toString("base64url");
    expect(await s.authenticate(req({ cookie: `jamie_session=${h}.${tampered}.${sig}` }))).toBeUndefined();
    now = new Date("2026-11-24T23:00:00Z");
    expect(await s.authenticate(req({ cookie: cookieOf(cookies) }))).toBeUndefined();
  });

  it("asks a session's writes for its CSRF token, not the API key's", async () => {
    const s = new Sessions(secret, { secure: false, apiKey: "k".repeat(24) });
    const { cookies, csrf } = await s.issue({ name: "bob", role: "viewer" });
    const p = await s.authenticate(req({ cookie: cookieOf(cookies) }));
    if (!p) throw new Error("no session");
    expect(s.csrfOk(p, req({}))).toBe(false);
    expect(s.csrfOk(p, req({ [CSRF_HEADER]: "nope" }))).toBe(false);
    expect(s.csrfOk(p, req({ [CSRF_HEADER]: csrf }))).toBe(true);
    const key = await s.authenticate(req({ authorization: `Bearer ${"k".repeat(24)}` }));
    expect(key).toEqual({ kind: "api-key", user: { name: "api-key", role: "viewer" } });
    expect(key && s.csrfOk(key, req({}))).toBe(true);
    expect(await s.authenticate(req({ authorization: "Bearer wrong-key-of-some-length" }))).toBeUndefined();
  });
});

describe("rate limit", () => {
  it("lets a burst through, refuses the next with a wait, and refills over time", () => {
    let t = 0;
    const rl = new RateLimiter({ perMinute: 6, burst: 3, now: () => t });
    expect([rl.take("u"), rl.take("u"), rl.take("u")].every((r) => r.ok)).toBe(true);
    expect(rl.take("u")).toEqual({ ok: false, retryAfterSec: 10 });
    expect(rl.take("other").ok).toBe(true);
    t = 10_000;
    expect(rl.take("u").ok).toBe(true);
    expect(rl.take("u").ok).toBe(false);
  });
});
