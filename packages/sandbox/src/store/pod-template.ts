type Json = Record<string, unknown>;

/**
 * A pod template in a form that compares equal across a rollback: without the label the
 * deployment controller adds, without null fields (Go clients such as kubectl send zero values
 * as null, e.g. `creationTimestamp: null`), and with keys in a stable order.
 */
export function comparableTemplate(template: unknown): string {
  const t = structuredClone((template ?? {}) as Json);
  const meta = (t.metadata ?? {}) as Json;
  const labels = { ...((meta.labels ?? {}) as Record<string, string>) };
  delete labels["pod-template-hash"];
  t.metadata = { ...meta, labels };
  return JSON.stringify(sortKeys(t));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v as Json)
        .filter(([, x]) => x !== null)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  }
  return v;
}
