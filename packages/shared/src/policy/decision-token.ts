import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from "node:crypto";
import { z } from "zod";
import { err, ok, type Result } from "../core/result.js";
import { Action } from "../domain/incident.js";
import { canonicalJson } from "./canonical-json.js";

/**
 * What Scarlet's policy layer signs when it allows one action: the action itself (kind, cluster,
 * namespace, target, params), why (route, incident, approver), and a short life. A write tool runs
 * only with a token whose action is exactly the call's, so nothing read from logs, alerts or a
 * model can widen what is allowed: only the holder of the private key can mint one.
 */
export const DecisionClaims = z.strictObject({
  v: z.literal(1),
  /** Unique per decision: a verifier refuses a second use. */
  id: z.string().min(1),
  action: Action,
  route: z.enum(["auto", "approval"]),
  incidentId: z.string().min(1).optional(),
  /** The approver, for route "approval". */
  approvedBy: z.string().min(1).optional(),
  /** Issued and expiry, in epoch seconds. */
  iat: z.number().int(),
  exp: z.number().int(),
});
export type DecisionClaims = z.infer<typeof DecisionClaims>;

export type DecisionRejection = {
  code: "malformed" | "bad_signature" | "expired" | "not_yet_valid" | "action_mismatch" | "replayed";
  message: string;
};

const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64url");
/** Clock skew tolerated between the policy layer and a verifier, in seconds. */
const SKEW_S = 30;

/** A new Ed25519 key pair for the policy layer, as PEM (the private key stays with Scarlet). */
export function generatePolicyKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

/** Signs a decision; `ttlSeconds` bounds how long the holder may use it. */
export function signDecision(
  privateKeyPem: string | KeyObject,
  decision: Omit<DecisionClaims, "v" | "id" | "iat" | "exp"> & { id?: string },
  opts: { now?: Date; ttlSeconds?: number } = {},
): string {
  const iat = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const claims = DecisionClaims.parse({ v: 1, id: decision.id ?? randomUUID(), ...decision, iat, exp: iat + (opts.ttlSeconds ?? 300) });
  const payload = b64(canonicalJson(claims));
  const key = typeof privateKeyPem === "string" ? createPrivateKey(privateKeyPem) : privateKeyPem;
  return `${payload}.${b64(sign(null, Buffer.from(payload), key))}`;
}

/** Reads a token's claims without checking it (for display); never use the result to act. */
export function peekDecision(token: string): DecisionClaims | undefined {
  const payload = token.split(".")[0] ?? "";
  try {
    const parsed = DecisionClaims.safeParse(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a token against the action a tool is about to take: signature, lifetime, and that its
 * action is the same action (params compared canonically, after defaults). Single use is the
 * caller's part, with a `DecisionLedger`.
 */
export function verifyDecision(
  token: string,
  publicKeyPem: string | KeyObject,
  expected: Action,
  opts: { now?: Date } = {},
): Result<DecisionClaims, DecisionRejection> {
  const parts = token.split(".");
  if (parts.length !== 2 || !parts[0] || !parts[1]) return err({ code: "malformed", message: "a decision token is <payload>.<signature>" });
  const [payload, signature] = parts as [string, string];
  const key = typeof publicKeyPem === "string" ? createPublicKey(publicKeyPem) : publicKeyPem;
  let good: boolean;
  try {
    good = verify(null, Buffer.from(payload), key, Buffer.from(signature, "base64url"));
  } catch {
    good = false;
  }
  if (!good) return err({ code: "bad_signature", message: "the decision token's signature does not verify with the policy key" });
  const claims = peekDecision(token);
  if (!claims) return err({ code: "malformed", message: "the decision token's claims are not a decision" });
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (claims.exp + SKEW_S < now) return err({ code: "expired", message: `the decision expired at ${new Date(claims.exp * 1000).toISOString()}` });
  if (claims.iat - SKEW_S > now) return err({ code: "not_yet_valid", message: "the decision was issued in the future" });
  const want = Action.safeParse(expected);
  if (!want.success || canonicalJson(want.data) !== canonicalJson(claims.action)) {
    return err({ code: "action_mismatch", message: `the decision allows ${describe(claims.action)}, not ${want.success ? describe(want.data) : "this call"}` });
  }
  return ok(claims);
}

const describe = (a: Action) => `${a.kind} ${a.cluster}/${a.namespace ? `${a.namespace}/` : ""}${a.target} ${canonicalJson(a.params)}`;

/** The decisions already used, until they expire: a second use of one is refused. */
export class DecisionLedger {
  readonly #used = new Map<string, number>();

  /** Marks a decision used; false when it was used before. */
  use(claims: Pick<DecisionClaims, "id" | "exp">, now: Date = new Date()): boolean {
    const nowS = Math.floor(now.getTime() / 1000);
    for (const [id, exp] of this.#used) if (exp + SKEW_S < nowS) this.#used.delete(id);
    if (this.#used.has(claims.id)) return false;
    this.#used.set(claims.id, claims.exp);
    return true;
  }
}
