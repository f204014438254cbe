import fjp from "fast-json-patch";
import { err, ok, type Result } from "@autodevops/shared";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

export type PatchType = "merge" | "strategic" | "json" | "apply";

/** The patch type of a request's Content-Type, or undefined when it is not a patch type. */
export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const type = (contentType ?? "").split(";")[0]?.trim();
  if (type === "application/merge-patch+json") return "merge";
  if (type === "application/strategic-merge-patch+json") return "strategic";
  if (type === "application/json-patch+json") return "json";
  if (type === "application/apply-patch+yaml") return "apply";
  return undefined;
}

/** RFC 7386: objects merge, null removes, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

/** RFC 6902 operations; a failed `test` or a bad path is an error that changes nothing. */
export function jsonPatch(target: Json, ops: unknown): Result<Json, string> {
  if (!Array.isArray(ops)) return err("a JSON patch must be an array of operations");
  const invalid = fjp.validate(ops as fjp.Operation[], structuredClone(target));
  if (invalid) return err(`invalid JSON patch: ${invalid.message.split("\n")[0] ?? invalid.name}`);
  try {
    return ok(fjp.applyPatch(structuredClone(target), ops as fjp.Operation[], false, false).newDocument as Json);
  } catch (e) {
    return err(`the JSON patch could not be applied: ${(e as Error).message.split("\n")[0]}`);
  }
}

/**
 * The list fields whose elements strategic merge matches by a key, as the Kubernetes API types
 * declare with `patchMergeKey`. Lists not named here are replaced whole, as in the real types.
 */
const MERGE_KEYS: Record<string, string | ((items: JsonObject[]) => string)> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  volumes: "name",
  imagePullSecrets: "name",
  env: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  // Container ports merge on containerPort, Service ports on port.
  ports: (items) => (items.some((i) => "containerPort" in i) ? "containerPort" : "port"),
  conditions: "type",
  ownerReferences: "uid",
  taints: "key",
  addresses: "type",
  hostAliases: "ip",
  topologySpreadConstraints: "topologyKey",
};
/** Primitive lists that strategic merge treats as sets. */
const MERGED_PRIMITIVE_LISTS = new Set(["finalizers"]);

/**
 * A strategic merge patch, for the fields and directives kubectl sends (`apply`, `annotate`,
 * `rollout restart/undo`, `cordon`, `scale`): keyed list merging, `$patch: delete|replace`,
 * `$setElementOrder`, `$retainKeys` and `$deleteFromPrimitiveList`.
 */
export function strategicMergePatch(target: Json, patch: Json): Result<Json, string> {
  try {
    return ok(smp(target, patch));
  } catch (e) {
    return err((e as Error).message);
  }
}

function smp(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === "replace") {
    const { $patch: _p, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === "delete") return null;
  let out: JsonObject = isObject(target) ? { ...target } : {};
  const retain = patch.$retainKeys;
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch" || k === "$retainKeys" || k.startsWith("$setElementOrder/")) continue;
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const field = k.slice("$deleteFromPrimitiveList/".length);
      const remove = new Set((Array.isArray(v) ? v : []).map((x) => JSON.stringify(x)));
      const list = out[field];
      if (Array.isArray(list)) out[field] = list.filter((x) => !remove.has(JSON.stringify(x)));
      continue;
    }
    if (v === null) {
      delete out[k];
    } else if (Array.isArray(v)) {
      out[k] = mergeList(k, out[k], v);
    } else if (isObject(v)) {
      out[k] = smp(out[k] ?? null, v);
      if (out[k] === null) delete out[k];
    } else {
      out[k] = v;
    }
  }
  if (Array.isArray(retain)) {
    const keep = new Set(retain.map(String));
    out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)));
  }
  return out;
}

function mergeList(field: string, current: Json | undefined, patch: Json[]): Json[] {
  const existing = Array.isArray(current) ? current : [];
  if (MERGED_PRIMITIVE_LISTS.has(field)) {
    const seen = new Set(existing.map((x) => JSON.stringify(x)));
    return [...existing, ...patch.filter((x) => !seen.has(JSON.stringify(x)))];
  }
  const spec = MERGE_KEYS[field];
  const objects = patch.filter(isObject);
  if (!spec || objects.length !== patch.length) return structuredClone(patch);
  if (objects.some((o) => o.$patch === "replace")) {
    return objects.filter((o) => o.$patch !== "replace").map((o) => structuredClone(o));
  }
  const key = typeof spec === "string" ? spec : spec([...objects, ...existing.filter(isObject)]);
  const out: Json[] = existing.map((x) => structuredClone(x));
  for (const item of objects) {
    const id = item[key];
    if (id === undefined) throw new Error(`strategic merge patch: an element of ${field} lacks its merge key "${key}"`);
    const at = out.findIndex((x) => isObject(x) && x[key] === id);
    if (item.$patch === "delete") {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) {
      out[at] = smp(out[at] ?? null, item);
    } else {
      const { $patch: _p, ...rest } = item;
      out.push(smp(null, rest));
    }
  }
  return out;
}
