import type { KubeObjectInput } from "../store/types.js";
import type { ClusterName } from "./cluster-name.js";

/**
 * Namespaces, each with its `default` ServiceAccount, and the `kubernetes` Service in `default`
 * that every real cluster has. Staging carries only the `shop` namespace besides the system ones.
 */

const SYSTEM = ["default", "kube-node-lease", "kube-public", "kube-system"] as const;

/** Labels of the namespaces the shop's teams own. */
const TEAM_NAMESPACES: Record<string, Record<string, string>> = {
  shop: { team: "commerce", "app.kubernetes.io/part-of": "shop" },
  platform: { team: "platform" },
  batch: { team: "data" },
  dev: { team: "commerce", purpose: "development" },
};

export function namespaceNames(cluster: ClusterName): string[] {
  return [...SYSTEM, ...(cluster === "prod" ? Object.keys(TEAM_NAMESPACES) : ["shop"])];
}

function namespace(name: string, cluster: ClusterName): KubeObjectInput {
  const team = TEAM_NAMESPACES[name];
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      labels: { "kubernetes.io/metadata.name": name, ...(team ? { ...team, environment: cluster } : {}) },
    },
    spec: { finalizers: ["kubernetes"] },
    status: { phase: "Active" },
  };
}

export function namespaceObjects(cluster: ClusterName): KubeObjectInput[] {
  const names = namespaceNames(cluster);
  return [
    ...names.map((n) => namespace(n, cluster)),
    ...names.map((n): KubeObjectInput => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: n } })),
  ];
}

/** The API server's own Service and its Endpoints (no selector: the API server writes them itself). */
export function kubernetesService(): KubeObjectInput[] {
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
      spec: {
        type: "ClusterIP",
        clusterIP: "10.96.0.1",
        clusterIPs: ["10.96.0.1"],
        ipFamilies: ["IPv4"],
        ipFamilyPolicy: "SingleStack",
        internalTrafficPolicy: "Cluster",
        sessionAffinity: "None",
        ports: [{ name: "https", port: 443, targetPort: 6443, protocol: "TCP" }],
      },
      status: { loadBalancer: {} },
    },
    {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name: "kubernetes", namespace: "default", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
      subsets: [{ addresses: [{ ip: "10.0.0.10" }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] }],
    },
  ];
}
