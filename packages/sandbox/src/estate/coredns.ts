import type { KubeObjectInput } from "../store/types.js";
import type { ClusterName } from "./cluster-name.js";
import { CHANGE_CAUSE } from "./workload-objects.js";

/**
 * Cluster DNS in kube-system, shaped as kubeadm installs it: Deployment `coredns` selected by
 * `k8s-app: kube-dns`, Service `kube-dns` on 10.96.0.10, and its Corefile in ConfigMap
 * `coredns` mounted as a file (not env), so it has no `<name>-config`.
 */

export const COREDNS = {
  name: "coredns",
  namespace: "kube-system",
  image: "registry.k8s.io/coredns/coredns",
  version: "v1.11.3",
  previousVersion: "v1.11.1",
  replicas: { prod: 2, staging: 1 } satisfies Record<ClusterName, number>,
} as const;

const SELECTOR = { "k8s-app": "kube-dns" };
// `app` too, so that tools which find workloads by `app` find this one as well.
const LABELS = { ...SELECTOR, app: "coredns", "app.kubernetes.io/name": "coredns" };

const COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`;

export function corednsDeployment(at: { version: string; replicas: number }): KubeObjectInput {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: COREDNS.name,
      namespace: COREDNS.namespace,
      labels: { ...SELECTOR },
      annotations: { [CHANGE_CAUSE]: `kubeadm upgrade: coredns ${at.version}` },
    },
    spec: {
      replicas: at.replicas,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { ...SELECTOR } },
      // DNS must never be down to zero during an upgrade: one pod at a time.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 1 } },
      template: {
        metadata: { labels: { ...LABELS } },
        spec: {
          containers: [
            {
              name: "coredns",
              image: `${COREDNS.image}:${at.version}`,
              imagePullPolicy: "IfNotPresent",
              args: ["-conf", "/etc/coredns/Corefile"],
              ports: [
                { name: "dns", containerPort: 53, protocol: "UDP" },
                { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                { name: "metrics", containerPort: 9153, protocol: "TCP" },
              ],
              // As kubeadm ships it: no CPU limit, so DNS is never throttled.
              resources: { requests: { cpu: "100m", memory: "70Mi" }, limits: { memory: "170Mi" } },
              livenessProbe: {
                httpGet: { path: "/health", port: 8080, scheme: "HTTP" },
                initialDelaySeconds: 60,
                periodSeconds: 10,
                timeoutSeconds: 5,
                successThreshold: 1,
                failureThreshold: 5,
              },
              readinessProbe: {
                httpGet: { path: "/ready", port: 8181, scheme: "HTTP" },
                periodSeconds: 10,
                timeoutSeconds: 1,
                successThreshold: 1,
                failureThreshold: 3,
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
                readOnlyRootFilesystem: true,
              },
              volumeMounts: [{ name: "config-volume", mountPath: "/etc/coredns", readOnly: true }],
              terminationMessagePath: "/dev/termination-log",
              terminationMessagePolicy: "File",
            },
          ],
          volumes: [{ name: "config-volume", configMap: { name: "coredns", items: [{ key: "Corefile", path: "Corefile" }], defaultMode: 420 } }],
          // DNS resolves through the node, not through itself.
          dnsPolicy: "Default",
          serviceAccountName: "coredns",
          serviceAccount: "coredns",
          tolerations: [
            { key: "CriticalAddonsOnly", operator: "Exists" },
            { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
          ],
          restartPolicy: "Always",
          terminationGracePeriodSeconds: 30,
          schedulerName: "default-scheduler",
          securityContext: {},
        },
      },
    },
  };
}

/** The ConfigMap, ServiceAccount and Service around the coredns Deployment. */
export function corednsSupport(): KubeObjectInput[] {
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "coredns", namespace: COREDNS.namespace },
      data: { Corefile: COREFILE },
    },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "coredns", namespace: COREDNS.namespace } },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "kube-dns",
        namespace: COREDNS.namespace,
        labels: { ...SELECTOR, "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS" },
        annotations: { "prometheus.io/port": "9153", "prometheus.io/scrape": "true" },
      },
      spec: {
        type: "ClusterIP",
        // The address every pod's resolv.conf names; kubeadm reserves it.
        clusterIP: "10.96.0.10",
        clusterIPs: ["10.96.0.10"],
        ipFamilies: ["IPv4"],
        ipFamilyPolicy: "SingleStack",
        internalTrafficPolicy: "Cluster",
        sessionAffinity: "None",
        selector: { ...SELECTOR },
        ports: [
          { name: "dns", port: 53, targetPort: 53, protocol: "UDP" },
          { name: "dns-tcp", port: 53, targetPort: 53, protocol: "TCP" },
          { name: "metrics", port: 9153, targetPort: 9153, protocol: "TCP" },
        ],
      },
      status: { loadBalancer: {} },
    },
  ];
}
