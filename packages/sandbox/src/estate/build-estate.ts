import type { KubeObjectInput } from "../store/types.js";
import type { ClusterName } from "./cluster-name.js";
import { COREDNS, corednsDeployment, corednsSupport } from "./coredns.js";
import { kubernetesService, namespaceNames, namespaceObjects } from "./namespaces.js";
import { nodeObjects } from "./nodes.js";
import { configMapOf, deploymentOf, servicesOf, statefulSetOf } from "./workload-objects.js";
import { SECRETS, workloadsOf } from "./workloads.js";

/** One cluster's baseline estate (CONTRACTS.md section 1) as plain Kubernetes objects. */
export interface Estate {
  cluster: ClusterName;
  /** Every object as it stands once the estate is up; Deployments at their current revision (2). */
  objects: KubeObjectInput[];
  /**
   * Revision 1 of every Deployment: created first and, once the deployment controller has made
   * its ReplicaSet, replaced by the current revision, so `kubectl rollout history` shows 1 and 2
   * and `rollout undo` has somewhere to go. At 0 replicas, so that no revision-1 pod ever starts
   * and the estate comes up without a rolling update in flight.
   */
  history: KubeObjectInput[];
}

function secretObjects(cluster: ClusterName): KubeObjectInput[] {
  const namespaces = new Set(namespaceNames(cluster));
  return SECRETS.filter((s) => namespaces.has(s.namespace)).map((s) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: s.name, namespace: s.namespace, labels: { "app.kubernetes.io/part-of": "shop" } },
    type: "Opaque",
    data: Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
  }));
}

/** The baseline of `cluster`; `now` stamps the nodes' conditions. */
export function buildEstate(cluster: ClusterName, now: Date): Estate {
  const workloads = workloadsOf(cluster);
  const corednsReplicas = COREDNS.replicas[cluster];
  const objects: KubeObjectInput[] = [
    ...nodeObjects(cluster, now),
    ...namespaceObjects(cluster),
    ...kubernetesService(),
    ...secretObjects(cluster),
    ...corednsSupport(),
    ...workloads.map((w) => configMapOf(w, cluster)),
    ...workloads.flatMap((w) => servicesOf(w)),
    ...workloads.filter((w) => w.kind === "StatefulSet").map((w) => statefulSetOf(w, cluster)),
    corednsDeployment({ version: COREDNS.version, replicas: corednsReplicas }),
    ...workloads.filter((w) => w.kind === "Deployment").map((w) => deploymentOf(w, cluster, { version: w.version, replicas: w.replicas })),
  ];
  const history: KubeObjectInput[] = [
    corednsDeployment({ version: COREDNS.previousVersion, replicas: 0 }),
    ...workloads
      .filter((w) => w.kind === "Deployment")
      .map((w) => {
        if (!w.previousVersion) throw new Error(`deployment ${w.namespace}/${w.name} has no previousVersion: every Deployment starts with a history`);
        return deploymentOf(w, cluster, { version: w.previousVersion, replicas: 0 });
      }),
  ];
  return { cluster, objects, history };
}
