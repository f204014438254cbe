/** Keys whose values are credentials wherever they appear in a structure. */
const SECRET_KEY = /(token|password|passwd|secret|authorization|api[-_]?key|cookie|credential)/i;

export const REDACTED = "[Redacted]";

/** A deep copy with the values of credential-looking keys replaced, for data that is stored or shown. */
export function redactSecretFields<T>(value: T): T {
  return redact(value, 0) as T;
}

function redact(value: unknown, depth: number): unknown {
  // Deeper than any payload we write; stops a cyclic or hostile structure.
  if (depth > 32) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? REDACTED : redact(v, depth + 1);
    return out;
  }
  return value;
}
