import { resourceFor, servedVersion, type ResourceType } from "../store/resources.js";

/** A request path resolved against the served resource types. */
export type ApiPath =
  | { kind: "version" }
  | { kind: "health" }
  | { kind: "metrics" }
  | { kind: "loki" }
  | { kind: "tempo" }
  | { kind: "core-versions" }
  | { kind: "groups" }
  | { kind: "group"; group: string }
  | { kind: "resource-list"; group: string; version: string }
  | { kind: "openapi-v3-index" }
  | { kind: "openapi-v3"; path: string }
  | { kind: "resource"; type: ResourceType; namespace?: string; name?: string; subresource?: string }
  | { kind: "unknown" };

/** Parses `/api/v1/namespaces/shop/pods/web-1/log` and its kin. */
export function parsePath(pathname: string, servedGroups: Set<string>): ApiPath {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (pathname === "/version" || pathname === "/version/") return { kind: "version" };
  if (["/healthz", "/readyz", "/livez"].includes(pathname)) return { kind: "health" };
  if (pathname === "/metrics") return { kind: "metrics" };
  if (pathname === "/loki" || pathname.startsWith("/loki/")) return { kind: "loki" };
  if (pathname === "/tempo" || pathname.startsWith("/tempo/")) return { kind: "tempo" };
  if (parts[0] === "openapi") {
    if (parts[1] !== "v3") return { kind: "unknown" };
    return parts.length === 2 ? { kind: "openapi-v3-index" } : { kind: "openapi-v3", path: parts.slice(2).join("/") };
  }
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (parts[0] === "api") {
    if (parts.length === 1) return { kind: "core-versions" };
    group = "";
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === "apis") {
    if (parts.length === 1) return { kind: "groups" };
    group = parts[1] ?? "";
    if (!servedGroups.has(group)) return { kind: "unknown" };
    if (parts.length === 2) return { kind: "group", group };
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return { kind: "unknown" };
  }
  if (version === undefined || version !== servedVersion(group)) return { kind: "unknown" };
  if (rest.length === 0) return { kind: "resource-list", group, version };

  let namespace: string | undefined;
  // `/namespaces/{ns}/{plural}...` is a namespaced resource; `/namespaces[/{name}[/{sub}]]` is the namespace itself.
  if (group === "" && rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  } else if (group !== "" && rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural = "", name, subresource, ...extra] = rest;
  const type = resourceFor(group, plural);
  if (!type || extra.length > 0) return { kind: "unknown" };
  if (namespace !== undefined && !type.namespaced) return { kind: "unknown" };
  if (subresource !== undefined && !type.subresources.includes(subresource)) return { kind: "unknown" };
  return { kind: "resource", type, ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}), ...(subresource !== undefined ? { subresource } : {}) };
}
