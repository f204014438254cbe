import { createHash } from "node:crypto";
import type { KubeObjectInput } from "../store/types.js";
import type { ClusterName } from "./cluster-name.js";
import type { ProbeStyle, WorkloadSpec } from "./workloads.js";

/**
 * Kubernetes objects for one workload of `workloads.ts`. Objects are written in the form the API
 * server stores after defaulting (strategy, probe timings, termination settings, Service IP
 * families…): a template that `kubectl rollout undo` copies back from a ReplicaSet then equals
 * the one stored here, and the sandbox reads a rollback as a rollback.
 */

type Json = Record<string, unknown>;

export const CHANGE_CAUSE = "kubernetes.io/change-cause";

export const configMapName = (w: Pick<WorkloadSpec, "name">) => `${w.name}-config`;
export const headlessServiceName = (w: Pick<WorkloadSpec, "name">) => `${w.name}-headless`;

export function appLabels(w: Pick<WorkloadSpec, "name" | "partOf">): Record<string, string> {
  return { app: w.name, "app.kubernetes.io/name": w.name, "app.kubernetes.io/part-of": w.partOf };
}

/** A stable address in 10.96.0.0/16 derived from the Service's name, as the sandbox's API assigns one. */
export function clusterIpFor(namespace: string, name: string): string {
  const h = createHash("sha256").update(`${namespace}/${name}`).digest();
  return `10.96.${h[0] ?? 0}.${((h[1] ?? 0) % 253) + 2}`;
}

function probes(style: ProbeStyle): { readinessProbe: Json; livenessProbe: Json } {
  const timing = { timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
  if (style.kind === "tcp") {
    return {
      readinessProbe: { tcpSocket: { port: style.port }, initialDelaySeconds: 5, periodSeconds: 10, ...timing },
      livenessProbe: { tcpSocket: { port: style.port }, initialDelaySeconds: 30, periodSeconds: 20, ...timing },
    };
  }
  return {
    readinessProbe: { httpGet: { path: "/readyz", port: style.port, scheme: "HTTP" }, initialDelaySeconds: 5, periodSeconds: 10, ...timing },
    livenessProbe: { httpGet: { path: "/healthz", port: style.port, scheme: "HTTP" }, initialDelaySeconds: 15, periodSeconds: 20, ...timing },
  };
}

function env(w: WorkloadSpec, cluster: ClusterName): Json[] {
  const fromConfig = Object.keys(w.config(cluster)).map((key) => ({
    name: key,
    valueFrom: { configMapKeyRef: { name: configMapName(w), key } },
  }));
  const fromSecrets = (w.secretEnv ?? []).map((s) => ({
    name: s.env,
    valueFrom: { secretKeyRef: { name: s.secret, key: s.key } },
  }));
  return [...fromConfig, ...fromSecrets];
}

/** The pod template of a workload running `version`. */
export function podTemplate(w: WorkloadSpec, cluster: ClusterName, version: string): Json {
  const mounts = [w.volumeClaim, w.emptyDir].filter((v) => v !== undefined).map((v) => ({ name: v.name, mountPath: v.mountPath }));
  const container: Json = {
    name: w.name,
    image: `${w.image}:${version}`,
    imagePullPolicy: "IfNotPresent",
    ...(w.args ? { args: w.args } : {}),
    ports: w.ports.map((p) => ({ ...p })),
    env: env(w, cluster),
    resources: structuredClone(w.resources),
    ...probes(w.probes),
    ...(mounts.length ? { volumeMounts: mounts } : {}),
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
  };
  const annotations =
    w.probes.kind === "http" ? { "prometheus.io/scrape": "true", "prometheus.io/port": String(w.probes.port), "prometheus.io/path": "/metrics" } : undefined;
  return {
    metadata: { labels: appLabels(w), ...(annotations ? { annotations } : {}) },
    spec: {
      containers: [container],
      ...(w.emptyDir ? { volumes: [{ name: w.emptyDir.name, emptyDir: {} }] } : {}),
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      schedulerName: "default-scheduler",
      securityContext: {},
    },
  };
}

export function deploymentOf(w: WorkloadSpec, cluster: ClusterName, at: { version: string; replicas: number }): KubeObjectInput {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: w.name,
      namespace: w.namespace,
      labels: appLabels(w),
      annotations: { [CHANGE_CAUSE]: `deploy ${at.version}` },
    },
    spec: {
      replicas: at.replicas,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { app: w.name } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: podTemplate(w, cluster, at.version),
    },
  };
}

export function statefulSetOf(w: WorkloadSpec, cluster: ClusterName): KubeObjectInput {
  const claim = w.volumeClaim;
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: {
      name: w.name,
      namespace: w.namespace,
      labels: appLabels(w),
      annotations: { [CHANGE_CAUSE]: `deploy ${w.version}` },
    },
    spec: {
      replicas: w.replicas,
      serviceName: headlessServiceName(w),
      selector: { matchLabels: { app: w.name } },
      template: podTemplate(w, cluster, w.version),
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      ...(claim
        ? {
            volumeClaimTemplates: [
              {
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                metadata: { name: claim.name },
                spec: {
                  accessModes: ["ReadWriteOnce"],
                  storageClassName: claim.storageClassName,
                  resources: { requests: { storage: claim.storage } },
                  volumeMode: "Filesystem",
                },
                status: { phase: "Pending" },
              },
            ],
          }
        : {}),
    },
  };
}

export function configMapOf(w: WorkloadSpec, cluster: ClusterName): KubeObjectInput {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: configMapName(w), namespace: w.namespace, labels: appLabels(w) },
    data: w.config(cluster),
  };
}

/** The ClusterIP Service callers use, and for a StatefulSet also the headless one that governs its pod names. */
export function servicesOf(w: WorkloadSpec): KubeObjectInput[] {
  const ports = w.servicePorts.map((p) => ({ ...p }));
  const ip = clusterIpFor(w.namespace, w.name);
  const main: KubeObjectInput = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: w.name, namespace: w.namespace, labels: appLabels(w) },
    spec: {
      type: "ClusterIP",
      clusterIP: ip,
      clusterIPs: [ip],
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
      internalTrafficPolicy: "Cluster",
      sessionAffinity: "None",
      selector: { app: w.name },
      ports,
    },
    status: { loadBalancer: {} },
  };
  if (w.kind !== "StatefulSet") return [main];
  const headless: KubeObjectInput = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: headlessServiceName(w), namespace: w.namespace, labels: appLabels(w) },
    spec: {
      type: "ClusterIP",
      clusterIP: "None",
      clusterIPs: ["None"],
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
      internalTrafficPolicy: "Cluster",
      sessionAffinity: "None",
      // Peers find each other by DNS before they are Ready, as database replicas must.
      publishNotReadyAddresses: true,
      selector: { app: w.name },
      ports: ports.map((p) => ({ ...p })),
    },
    status: { loadBalancer: {} },
  };
  return [main, headless];
}
