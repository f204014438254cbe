import type { PodTemplate } from "./kube-shapes.js";

export const POD_TEMPLATE_HASH = "pod-template-hash";

/** JSON with object keys sorted and null fields left out, so equal templates serialise equally however a client sent them. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      // A null field and a missing one mean the same to the API server (`creationTimestamp: null`).
      .filter(([, x]) => x !== undefined && x !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// The alphabet of apimachinery's SafeEncodeString: no vowels, so no words, and no look-alikes.
const SAFE = "bcdfghjklmnpqrstvwxz2456789";

/** The template without its pod-template-hash label: what a Deployment's template and its ReplicaSet's have in common. */
export function withoutHash(template: PodTemplate | undefined): PodTemplate {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  return t;
}

/**
 * The `pod-template-hash` of a template, as controller.ComputeHash makes it: FNV-32a of the
 * template (and the collision count, when there was one), its decimal digits mapped onto the
 * safe alphabet — strings like `5d4f8b7c9`.
 */
export function templateHash(template: PodTemplate | undefined, collisionCount = 0): string {
  const input = canonicalJson(normalised(template)) + (collisionCount > 0 ? String(collisionCount) : "");
  return [...String(fnv32a(input))].map((d) => SAFE[d.charCodeAt(0) % SAFE.length]).join("");
}

/** Whether two templates are the same but for the pod-template-hash label (the deployment controller's EqualIgnoreHash). */
export function sameTemplate(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return canonicalJson(normalised(a)) === canonicalJson(normalised(b));
}

// Empty maps and a missing map mean the same to the API server; a client may send either.
function normalised(t: PodTemplate | undefined): PodTemplate {
  const n = withoutHash(t);
  if (n.metadata) {
    if (n.metadata.annotations && Object.keys(n.metadata.annotations).length === 0) delete n.metadata.annotations;
    if (Object.keys(n.metadata).length === 0) delete n.metadata;
  }
  return n;
}
