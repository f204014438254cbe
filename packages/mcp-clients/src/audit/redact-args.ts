import { redactSecretFields, REDACTED } from "@autodevops/shared";

/** `password=…`, `token: …` inside a string value: the value goes, the key stays readable. */
const KEY_VALUE = /\b(password|passwd|token|secret|api[-_]?key|access[-_]?key)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&,;"']+)/gi;

/** Credentials written inside a string value (a query, a header line, a pasted command). */
const SECRET_VALUE_PATTERNS: readonly RegExp[] = [
  /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  // A JWT: header and payload are base64url JSON.
  /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  // Well-known token shapes: GitHub, Slack, OpenAI, AWS access keys.
  /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16})\b/g,
];

const MAX_STRING = 2_000;

function redactValue(s: string): string {
  let out = s.replace(KEY_VALUE, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`);
  for (const re of SECRET_VALUE_PATTERNS) out = out.replace(re, REDACTED);
  return out.length > MAX_STRING ? `${out.slice(0, MAX_STRING)}… [${out.length - MAX_STRING} characters left out]` : out;
}

function walk(value: unknown, depth: number): unknown {
  if (depth > 32) return REDACTED;
  if (typeof value === "string") return redactValue(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, depth + 1)]));
  // JSON has no undefined, NaN or Infinity; the audit store refuses them.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

/**
 * Tool arguments as they may be stored: credential-looking keys (`redactSecretFields`) and
 * credential-looking string values replaced, long strings cut, JSON-safe throughout.
 */
export function redactArgs(args: Record<string, unknown>): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(args ?? {})) as Record<string, unknown>;
  return walk(redactSecretFields(plain), 0) as Record<string, unknown>;
}
