import { RESOURCE_TYPES, servedVersion, type ResourceType } from "../store/resources.js";

/**
 * A minimal OpenAPI v3 description: the operations of each resource with their query
 * parameters. kubectl reads it to learn that the server validates fields itself
 * (`fieldValidation`), so `apply` needs no schema download; it carries no type schemas,
 * so kubectl falls back to its built-in types for strategic merge.
 */

const gvPath = (group: string) => (group ? `apis/${group}/${servedVersion(group) ?? "v1"}` : "api/v1");

export function openApiV3Index(): Record<string, unknown> {
  const groups = [...new Set(RESOURCE_TYPES.map((t) => t.group))];
  return { paths: Object.fromEntries(groups.map((g) => [gvPath(g), { serverRelativeURL: `/openapi/v3/${gvPath(g)}?hash=sandbox-v1` }])) };
}

const param = (name: string) => ({ name, in: "query", schema: { type: "string" }, uniqueItems: true });
const WRITE_PARAMS = ["dryRun", "fieldManager", "fieldValidation"].map(param);

function operations(t: ResourceType): Record<string, unknown> {
  const gvk = { group: t.group, version: t.version, kind: t.kind };
  const op = (action: string, params: unknown[] = []) => ({
    operationId: `${action}${t.kind}`,
    parameters: params,
    responses: { "200": { description: "OK" } },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
  });
  const base = `/${gvPath(t.group)}${t.namespaced ? "/namespaces/{namespace}" : ""}/${t.plural}`;
  return {
    [base]: { get: op("list"), post: op("post", WRITE_PARAMS), delete: op("deletecollection") },
    [`${base}/{name}`]: {
      get: op("get"),
      put: op("put", WRITE_PARAMS),
      patch: op("patch", [...WRITE_PARAMS, param("force")]),
      delete: op("delete", [param("dryRun")]),
    },
  };
}

/** The document of one group version (`api/v1`, `apis/apps/v1`), or undefined if not served. */
export function openApiV3Document(path: string): Record<string, unknown> | undefined {
  const types = RESOURCE_TYPES.filter((t) => gvPath(t.group) === path);
  if (types.length === 0) return undefined;
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.31.4" },
    paths: Object.assign({}, ...types.map(operations)),
    components: { schemas: {} },
  };
}
