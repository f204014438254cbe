import { createHash, timingSafeEqual } from "node:crypto";

// Secrets are compared as SHA-256 digests: equal lengths let timingSafeEqual run on every
// input, so neither a secret's content nor its length shows in the response time.
const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

/** A secret prepared once for repeated constant-time comparison. */
export type Secret = { readonly digest: Buffer };

export const secret = (value: string): Secret => ({ digest: digest(value) });

/** True when `given` equals the secret; takes the same time whatever `given` is. */
export function secretMatches(given: string, s: Secret): boolean {
  return timingSafeEqual(digest(given), s.digest);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined for any other header. */
export function bearerToken(header: string | undefined): string | undefined {
  const token = /^Bearer +(\S+) *$/i.exec(header ?? "")?.[1];
  return token === undefined || token === "" ? undefined : token;
}

/** The user and password of an `Authorization: Basic …` header, or undefined for any other header. */
export function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const encoded = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header ?? "")?.[1];
  if (encoded === undefined) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Checks a `Basic` credential pair; both halves are always compared, so a right user name is not revealed by timing. */
export function basicMatches(given: { username: string; password: string }, want: { username: Secret; password: Secret }): boolean {
  const user = secretMatches(given.username, want.username);
  const pass = secretMatches(given.password, want.password);
  return user && pass;
}

/** The entry whose token matches, comparing against every entry so the time does not depend on which one (or none) matched. */
export function findByToken<T extends { token: Secret }>(token: string, entries: readonly T[]): T | undefined {
  const given = digest(token);
  let found: T | undefined;
  for (const e of entries) {
    if (timingSafeEqual(given, e.token.digest) && found === undefined) found = e;
  }
  return found;
}
