import { RESOURCE_TYPES, servedVersion, type ResourceType } from "../store/resources.js";

/** The discovery documents kubectl and client libraries read before anything else. */

export const SERVER_VERSION = {
  major: "1",
  minor: "31",
  gitVersion: "v1.31.4-autodevops-sandbox",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2026-11-01T00:00:00Z",
  goVersion: "go1.23.4",
  compiler: "gc",
  platform: "linux/amd64",
};

export function servedGroups(): Set<string> {
  return new Set(RESOURCE_TYPES.map((t) => t.group).filter((g) => g !== ""));
}

export function coreVersions(serverAddress: string) {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

function groupDoc(group: string) {
  const version = servedVersion(group) ?? "v1";
  const gv = { groupVersion: `${group}/${version}`, version };
  return { name: group, versions: [gv], preferredVersion: gv };
}

export function groupList() {
  return { kind: "APIGroupList", apiVersion: "v1", groups: [...servedGroups()].sort().map(groupDoc) };
}

export function group(name: string) {
  return { kind: "APIGroup", apiVersion: "v1", ...groupDoc(name) };
}

function subresourceEntry(t: ResourceType, sub: string) {
  const base = { name: `${t.plural}/${sub}`, singularName: "", namespaced: t.namespaced };
  switch (sub) {
    case "status":
      return { ...base, kind: t.kind, verbs: ["get", "patch", "update"] };
    case "scale":
      return { ...base, group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] };
    case "log":
      return { ...base, kind: "Pod", verbs: ["get"] };
    case "eviction":
      return { ...base, group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] };
    default:
      return { ...base, kind: t.kind, verbs: ["get"] };
  }
}

export function resourceList(group: string) {
  const resources = RESOURCE_TYPES.filter((t) => t.group === group).flatMap((t) => [
    {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length ? { categories: t.categories } : {}),
    },
    ...t.subresources.map((s) => subresourceEntry(t, s)),
  ]);
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${servedVersion(group) ?? "v1"}` : "v1", resources };
}
