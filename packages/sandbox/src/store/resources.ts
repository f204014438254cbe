/**
 * The resource types the sandbox serves, as discovery lists them. `key` (group/plural, or the
 * plural alone for the core group) identifies a type everywhere inside the sandbox.
 */
export interface ResourceType {
  key: string;
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  categories: string[];
  /** Subresources served, e.g. `status`, `scale`, `log`, `eviction`. */
  subresources: string[];
}

const RW = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function type(
  group: string,
  version: string,
  kind: string,
  plural: string,
  opts: { namespaced?: boolean; shortNames?: string[]; subresources?: string[]; categories?: string[]; verbs?: string[] } = {},
): ResourceType {
  return {
    key: group ? `${group}/${plural}` : plural,
    group,
    version,
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced: opts.namespaced ?? true,
    shortNames: opts.shortNames ?? [],
    verbs: opts.verbs ?? RW,
    categories: opts.categories ?? [],
    subresources: opts.subresources ?? [],
  };
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  type("", "v1", "Namespace", "namespaces", { namespaced: false, shortNames: ["ns"], subresources: ["status"] }),
  type("", "v1", "Node", "nodes", { namespaced: false, shortNames: ["no"], subresources: ["status"] }),
  type("", "v1", "Pod", "pods", { shortNames: ["po"], subresources: ["status", "log", "eviction"], categories: ["all"] }),
  type("", "v1", "Event", "events", { shortNames: ["ev"] }),
  type("", "v1", "Service", "services", { shortNames: ["svc"], subresources: ["status"], categories: ["all"] }),
  type("", "v1", "Endpoints", "endpoints", { shortNames: ["ep"] }),
  type("", "v1", "ConfigMap", "configmaps", { shortNames: ["cm"] }),
  type("", "v1", "Secret", "secrets"),
  type("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", { shortNames: ["pvc"], subresources: ["status"] }),
  type("", "v1", "ResourceQuota", "resourcequotas", { shortNames: ["quota"], subresources: ["status"] }),
  type("", "v1", "ServiceAccount", "serviceaccounts", { shortNames: ["sa"] }),
  type("apps", "v1", "Deployment", "deployments", { shortNames: ["deploy"], subresources: ["status", "scale"], categories: ["all"] }),
  type("apps", "v1", "ReplicaSet", "replicasets", { shortNames: ["rs"], subresources: ["status", "scale"], categories: ["all"] }),
  type("apps", "v1", "StatefulSet", "statefulsets", { shortNames: ["sts"], subresources: ["status", "scale"], categories: ["all"] }),
  type("apps", "v1", "DaemonSet", "daemonsets", { shortNames: ["ds"], subresources: ["status"], categories: ["all"] }),
  type("apps", "v1", "ControllerRevision", "controllerrevisions"),
  type("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", { shortNames: ["netpol"] }),
  type("coordination.k8s.io", "v1", "Lease", "leases"),
  type("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", { shortNames: ["pdb"], subresources: ["status"] }),
  // Stored and served, not enforced (the sandbox's authorizer is its own fixed table): a deploy's
  // RBAC and autoscaler must be accepted, e.g. by `kubectl apply --dry-run=server`.
  type("rbac.authorization.k8s.io", "v1", "Role", "roles"),
  type("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
  type("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", { namespaced: false }),
  type("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", { namespaced: false }),
  type("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", { shortNames: ["hpa"], subresources: ["status"], categories: ["all"] }),
];

const BY_KEY = new Map(RESOURCE_TYPES.map((t) => [t.key, t]));

export function resourceByKey(key: string): ResourceType | undefined {
  return BY_KEY.get(key);
}

/** The type for an API path's group and plural, if served. */
export function resourceFor(group: string, plural: string): ResourceType | undefined {
  return BY_KEY.get(group ? `${group}/${plural}` : plural);
}

/** The type of a kind in an apiVersion (`apps/v1`, `v1`). */
export function resourceForKind(apiVersion: string, kind: string): ResourceType | undefined {
  const [group, version] = apiVersion.includes("/") ? (apiVersion.split("/") as [string, string]) : ["", apiVersion];
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.kind === kind);
}

/** The one version a group is served at (`v1` for the core group), or undefined if not served. */
export function servedVersion(group: string): string | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group)?.version;
}

export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}
