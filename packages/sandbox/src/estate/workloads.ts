import type { ClusterName } from "./cluster-name.js";

/**
 * The estate's application workloads (CONTRACTS.md section 1) as data: what each runs, what it
 * asks for, whom it calls and how it is configured. `workload-objects.ts` turns an entry into
 * Kubernetes objects; coredns, which looks like a stock cluster add-on rather than one of the
 * shop's services, is built in `coredns.ts`.
 */

export const REGISTRY = "registry.example.com";

export interface ContainerPort {
  name: string;
  containerPort: number;
  protocol: "TCP" | "UDP";
}

export interface ServicePort {
  name: string;
  port: number;
  targetPort: number;
  protocol: "TCP" | "UDP";
}

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu?: string; memory: string };
}

/** An env var read from a Secret key (the Secret is part of the estate). */
export interface SecretEnv {
  env: string;
  secret: string;
  key: string;
}

/** How the kubelet checks the container: HTTP `/readyz` and `/healthz`, or a TCP connect for the data stores. */
export type ProbeStyle = { kind: "http"; port: number } | { kind: "tcp"; port: number };

export interface WorkloadSpec {
  name: string;
  namespace: string;
  kind: "Deployment" | "StatefulSet";
  /** Replicas in prod; staging runs one of each. */
  replicas: number;
  /** `app.kubernetes.io/part-of`. */
  partOf: string;
  /** Image repository without the tag. */
  image: string;
  /** The tag running now. */
  version: string;
  /**
   * Deployments: the tag of revision 1, so the estate starts with a rollout history
   * (`kubectl rollout history` shows 1 and 2, `rollout undo` has somewhere to go).
   */
  previousVersion?: string;
  /** Workloads this one calls (CONTRACTS.md section 1); their addresses are in its ConfigMap. */
  calls: string[];
  ports: ContainerPort[];
  servicePorts: ServicePort[];
  resources: Resources;
  probes: ProbeStyle;
  /** The keys of `<name>-config`; every key is read into the container's env by `configMapKeyRef`. */
  config: (cluster: ClusterName) => Record<string, string>;
  secretEnv?: SecretEnv[];
  args?: string[];
  /** StatefulSets: a volumeClaimTemplate mounted here. */
  volumeClaim?: { name: string; mountPath: string; storage: string; storageClassName: string };
  /** Scratch space that does not outlive the pod. */
  emptyDir?: { name: string; mountPath: string };
}

const url = (name: string, namespace: string) => `http://${name}.${namespace}.svc.cluster.local`;
const logLevel = (cluster: ClusterName) => (cluster === "prod" ? "info" : "debug");

const HTTP_PORTS: ContainerPort[] = [{ name: "http", containerPort: 8080, protocol: "TCP" }];
const HTTP_SERVICE: ServicePort[] = [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }];
const HTTP_PROBES: ProbeStyle = { kind: "http", port: 8080 };

/** Who pays for the checkout: the gateway outside the cluster, with a test endpoint for staging. */
const PAYMENT_GATEWAY = { prod: "https://api.payment-gateway.example.com/v2", staging: "https://sandbox.payment-gateway.example.com/v2" };

export const WORKLOADS: readonly WorkloadSpec[] = [
  {
    name: "frontend",
    namespace: "shop",
    kind: "Deployment",
    replicas: 3,
    partOf: "shop",
    image: `${REGISTRY}/shop/frontend`,
    version: "2.7.1",
    previousVersion: "2.7.0",
    calls: ["checkout", "catalog"],
    ports: HTTP_PORTS,
    servicePorts: HTTP_SERVICE,
    resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    probes: HTTP_PROBES,
    config: (cluster) => ({
      CHECKOUT_URL: url("checkout", "shop"),
      CATALOG_URL: url("catalog", "shop"),
      LOG_LEVEL: logLevel(cluster),
      SESSION_TTL_SECONDS: "1800",
      FEATURE_RECOMMENDATIONS: cluster === "prod" ? "false" : "true",
    }),
  },
  {
    name: "checkout",
    namespace: "shop",
    kind: "Deployment",
    replicas: 2,
    partOf: "shop",
    image: `${REGISTRY}/shop/checkout`,
    version: "1.4.2",
    previousVersion: "1.4.1",
    calls: ["payments", "cart"],
    ports: HTTP_PORTS,
    servicePorts: HTTP_SERVICE,
    resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    probes: HTTP_PROBES,
    config: (cluster) => ({
      PAYMENTS_URL: url("payments", "shop"),
      CART_URL: url("cart", "shop"),
      LOG_LEVEL: logLevel(cluster),
      ORDER_TIMEOUT_MS: "3000",
      CURRENCY: "EUR",
    }),
  },
  {
    name: "payments",
    namespace: "shop",
    kind: "Deployment",
    replicas: 2,
    partOf: "shop",
    image: `${REGISTRY}/shop/payments`,
    version: "3.2.1",
    previousVersion: "3.2.0",
    calls: ["payment-gateway"],
    ports: HTTP_PORTS,
    servicePorts: HTTP_SERVICE,
    resources: { requests: { cpu: "150m", memory: "192Mi" }, limits: { cpu: "500m", memory: "384Mi" } },
    probes: HTTP_PROBES,
    config: (cluster) => ({
      PAYMENT_GATEWAY_URL: PAYMENT_GATEWAY[cluster],
      GATEWAY_TIMEOUT_MS: "2500",
      GATEWAY_RETRIES: "2",
      LOG_LEVEL: logLevel(cluster),
    }),
    secretEnv: [{ env: "PAYMENT_GATEWAY_API_KEY", secret: "payments-gateway-credentials", key: "api-key" }],
  },
  {
    name: "cart",
    namespace: "shop",
    kind: "Deployment",
    replicas: 2,
    partOf: "shop",
    image: `${REGISTRY}/shop/cart`,
    version: "1.9.4",
    previousVersion: "1.9.3",
    calls: ["redis-cart"],
    ports: HTTP_PORTS,
    servicePorts: HTTP_SERVICE,
    resources: { requests: { cpu: "150m", memory: "192Mi" }, limits: { cpu: "500m", memory: "384Mi" } },
    probes: HTTP_PROBES,
    config: (cluster) => ({
      REDIS_ADDR: "redis-cart.shop.svc.cluster.local:6379",
      CART_TTL_SECONDS: "86400",
      LOG_LEVEL: logLevel(cluster),
    }),
  },
  {
    name: "catalog",
    namespace: "shop",
    kind: "Deployment",
    replicas: 2,
    partOf: "shop",
    image: `${REGISTRY}/shop/catalog`,
    version: "2.1.1",
    previousVersion: "2.1.0",
    calls: ["catalog-db"],
    ports: HTTP_PORTS,
    servicePorts: HTTP_SERVICE,
    resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    probes: HTTP_PROBES,
    config: (cluster) => ({
      DATABASE_HOST: "catalog-db.shop.svc.cluster.local",
      DATABASE_PORT: "5432",
      DATABASE_NAME: "catalog",
      DATABASE_USER: "catalog",
      CACHE_TTL_SECONDS: "300",
      LOG_LEVEL: logLevel(cluster),
    }),
    secretEnv: [{ env: "DATABASE_PASSWORD", secret: "catalog-db-credentials", key: "password" }],
  },
  {
    name: "redis-cart",
    namespace: "shop",
    kind: "StatefulSet",
    replicas: 1,
    partOf: "shop",
    image: `${REGISTRY}/mirror/redis`,
    version: "7.2.5",
    calls: [],
    ports: [{ name: "redis", containerPort: 6379, protocol: "TCP" }],
    servicePorts: [{ name: "redis", port: 6379, targetPort: 6379, protocol: "TCP" }],
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    probes: { kind: "tcp", port: 6379 },
    config: () => ({ REDIS_MAXMEMORY: "384mb", REDIS_MAXMEMORY_POLICY: "allkeys-lru" }),
    // Redis takes its settings as flags; the kubelet expands $(VAR) from the container's env.
    args: ["--maxmemory", "$(REDIS_MAXMEMORY)", "--maxmemory-policy", "$(REDIS_MAXMEMORY_POLICY)", "--save", ""],
    // A cart cache: losing it logs people's carts out, which is why it is not a PVC.
    emptyDir: { name: "data", mountPath: "/data" },
  },
  {
    name: "catalog-db",
    namespace: "shop",
    kind: "StatefulSet",
    replicas: 1,
    partOf: "shop",
    image: `${REGISTRY}/mirror/postgres`,
    version: "16.4",
    calls: [],
    ports: [{ name: "postgres", containerPort: 5432, protocol: "TCP" }],
    servicePorts: [{ name: "postgres", port: 5432, targetPort: 5432, protocol: "TCP" }],
    resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
    probes: { kind: "tcp", port: 5432 },
    config: () => ({ POSTGRES_DB: "catalog", POSTGRES_USER: "catalog", PGDATA: "/var/lib/postgresql/data/pgdata" }),
    secretEnv: [{ env: "POSTGRES_PASSWORD", secret: "catalog-db-credentials", key: "password" }],
    volumeClaim: { name: "data", mountPath: "/var/lib/postgresql/data", storage: "10Gi", storageClassName: "standard" },
  },
  {
    name: "ingress-gateway",
    namespace: "platform",
    kind: "Deployment",
    replicas: 2,
    partOf: "platform",
    image: `${REGISTRY}/platform/ingress-gateway`,
    version: "1.12.1",
    previousVersion: "1.12.0",
    calls: ["frontend"],
    ports: HTTP_PORTS,
    servicePorts: HTTP_SERVICE,
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    probes: HTTP_PROBES,
    config: (cluster) => ({
      UPSTREAM_URL: url("frontend", "shop"),
      ACCESS_LOG: "true",
      UPSTREAM_TIMEOUT_MS: "5000",
      LOG_LEVEL: logLevel(cluster),
    }),
  },
  {
    name: "report-gen",
    namespace: "batch",
    kind: "Deployment",
    replicas: 1,
    partOf: "shop",
    image: `${REGISTRY}/batch/report-gen`,
    version: "0.9.1",
    previousVersion: "0.9.0",
    calls: ["catalog"],
    ports: HTTP_PORTS,
    servicePorts: HTTP_SERVICE,
    // Idle most of the day, then crunches the nightly reports: a small request and a high
    // CPU limit so the burst can use what the node has spare.
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "2", memory: "1Gi" } },
    probes: HTTP_PROBES,
    config: (cluster) => ({
      CATALOG_URL: url("catalog", "shop"),
      REPORT_SCHEDULE: "0 2 * * *",
      OUTPUT_BUCKET: `s3://shop-reports-${cluster}`,
      LOG_LEVEL: logLevel(cluster),
    }),
  },
];

/** The Secrets the workloads read (`secretEnv`). Values are placeholders: nothing real lives in the sandbox. */
export const SECRETS: ReadonlyArray<{ name: string; namespace: string; data: Record<string, string> }> = [
  { name: "payments-gateway-credentials", namespace: "shop", data: { "api-key": "sandbox-gateway-key-3f9a61c2", "merchant-id": "shop-eu-0042" } },
  { name: "catalog-db-credentials", namespace: "shop", data: { password: "sandbox-catalog-db-7d21e0b4" } },
];

/** Workloads in a cluster: prod has them all; staging has the `shop` namespace with one replica each. */
export function workloadsOf(cluster: ClusterName): WorkloadSpec[] {
  if (cluster === "prod") return [...WORKLOADS];
  return WORKLOADS.filter((w) => w.namespace === "shop").map((w) => ({ ...w, replicas: 1 }));
}
