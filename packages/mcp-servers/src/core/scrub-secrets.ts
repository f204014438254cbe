export const SECRET_REDACTED = "<redacted: Secret data is never returned>";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * A copy of `value` in which every Kubernetes Secret (at any depth, in lists too) keeps its
 * metadata and its keys but none of its values, and no last-applied annotation of a Secret
 * survives (it holds the whole object). Every tool's output passes through here.
 */
export function scrubSecrets<T>(value: T): T {
  return scrub(value) as T;
}

function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value === null || typeof value !== "object") return value;
  const o = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = scrub(v);
  if (isSecret(o)) {
    for (const field of ["data", "stringData"]) {
      const d = o[field];
      if (d && typeof d === "object") out[field] = Object.fromEntries(Object.keys(d).map((key) => [key, SECRET_REDACTED]));
    }
    const metadata = out.metadata as Record<string, unknown> | undefined;
    const annotations = metadata?.annotations as Record<string, string> | undefined;
    if (annotations?.[LAST_APPLIED] !== undefined) out.metadata = { ...metadata, annotations: { ...annotations, [LAST_APPLIED]: SECRET_REDACTED } };
  }
  return out;
}

function isSecret(o: Record<string, unknown>): boolean {
  return o.kind === "Secret" || (typeof o.type === "string" && o.metadata !== undefined && ("data" in o || "stringData" in o) && !("spec" in o) && o.kind === undefined && isSecretType(o.type));
}

/** Secret types as the API knows them (a client-node V1Secret has no `kind` once listed). */
const isSecretType = (t: string) => t === "Opaque" || t.startsWith("kubernetes.io/") || t.startsWith("bootstrap.kubernetes.io/") || t.includes("/");
