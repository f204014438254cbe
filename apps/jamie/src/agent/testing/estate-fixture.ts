import type { Estate, EstateCluster } from "../estate.js";

/** The sandbox's baseline names (CONTRACTS §1), for tests that need no live sandbox. */
function cluster(name: string): EstateCluster {
  const deps = (ns: string, names: string[], kind = "Deployment") => names.map((n) => ({ namespace: ns, name: n, kind }));
  return {
    name,
    namespaces: ["batch", "default", "dev", "kube-system", "platform", "shop"],
    workloads: [
      ...deps("shop", ["frontend", "checkout", "payments", "cart", "catalog"]),
      ...deps("shop", ["redis-cart", "catalog-db"], "StatefulSet"),
      ...deps("platform", ["ingress-gateway"]),
      ...deps("kube-system", ["coredns"]),
      ...deps("batch", ["report-gen"]),
    ],
    nodes: ["node-a", "node-b", "node-c"],
  };
}

export const ESTATE: Estate = { defaultCluster: "prod", clusters: [cluster("prod"), cluster("staging")] };
