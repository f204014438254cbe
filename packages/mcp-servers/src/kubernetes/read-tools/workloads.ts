import { z } from "zod";
import { defineTool } from "../../core/define-tool.js";
import { anyNamespaceArg, clusterArg, labelSelectorArg, limitArg, namespaceArg, type ReadDeps } from "../inputs.js";
import { k8sCall } from "../k8s-errors.js";
import { age, capped, iso } from "../plain.js";
import { CHANGE_CAUSE, readWorkload, REVISION, replicasOf, revisionsOf, type Workload } from "../workloads.js";
import type { V1Deployment } from "@kubernetes/client-node";
import { K8sName } from "@autodevops/shared";

const Condition = z.object({ type: z.string(), status: z.string(), reason: z.string().optional(), message: z.string().optional() });
const WorkloadRow = z.object({
  kind: z.enum(["Deployment", "StatefulSet", "DaemonSet"]),
  name: z.string(),
  namespace: z.string(),
  ready: z.string().describe("ready/desired"),
  upToDate: z.number(),
  available: z.number(),
  images: z.array(z.string()),
  age: z.string(),
  revision: z.string().optional(),
  conditions: z.array(Condition),
});

function row(kind: "Deployment" | "StatefulSet" | "DaemonSet", w: Workload, now: Date): z.infer<typeof WorkloadRow> {
  const r = replicasOf(kind, w);
  const conditions = (w.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) }));
  const revision = w.metadata?.annotations?.[REVISION];
  return {
    kind,
    name: w.metadata?.name ?? "",
    namespace: w.metadata?.namespace ?? "",
    ready: `${r.ready}/${r.desired}`,
    upToDate: r.updated,
    available: r.available,
    images: (w.spec?.template.spec?.containers ?? []).map((c) => c.image ?? ""),
    age: age(w.metadata?.creationTimestamp, now),
    ...(revision ? { revision } : {}),
    conditions,
  };
}

/** list_workloads: Deployments, StatefulSets and DaemonSets with ready/desired, images and conditions. */
export const listWorkloadsTool = ({ clusters, now }: ReadDeps) =>
  defineTool({
    name: "list_workloads",
    title: "List workloads",
    description: "Deployments, StatefulSets and DaemonSets with ready/desired replicas, images, age, revision and conditions (e.g. Progressing=False ProgressDeadlineExceeded). Omit namespace for all namespaces.",
    input: z.object({
      cluster: clusterArg,
      namespace: anyNamespaceArg,
      kind: z.enum(["Deployment", "StatefulSet", "DaemonSet"]).optional().describe("Only this kind; omit for all three"),
      labelSelector: labelSelectorArg,
      limit: limitArg(200, 500, "workloads"),
    }),
    output: z.object({ workloads: z.array(WorkloadRow), total: z.number(), truncated: z.boolean() }),
    kind: "read",
    run: async ({ cluster, namespace, kind, labelSelector, limit }) => {
      const c = clusters.get(cluster);
      const q = { ...(labelSelector ? { labelSelector } : {}) };
      const where = `${cluster}${namespace ? `/${namespace}` : ""}`;
      const want = (k: string) => kind === undefined || kind === k;
      const [deps, sts, dss] = await Promise.all([
        want("Deployment") ? k8sCall(`listing Deployments in ${where}`, () => (namespace ? c.apps.listNamespacedDeployment({ namespace, ...q }) : c.apps.listDeploymentForAllNamespaces(q))) : undefined,
        want("StatefulSet") ? k8sCall(`listing StatefulSets in ${where}`, () => (namespace ? c.apps.listNamespacedStatefulSet({ namespace, ...q }) : c.apps.listStatefulSetForAllNamespaces(q))) : undefined,
        want("DaemonSet") ? k8sCall(`listing DaemonSets in ${where}`, () => (namespace ? c.apps.listNamespacedDaemonSet({ namespace, ...q }) : c.apps.listDaemonSetForAllNamespaces(q))) : undefined,
      ]);
      const t = now();
      const rows = [
        ...(deps?.items ?? []).map((w) => row("Deployment", w, t)),
        ...(sts?.items ?? []).map((w) => row("StatefulSet", w, t)),
        ...(dss?.items ?? []).map((w) => row("DaemonSet", w, t)),
      ].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
      const { items, total, truncated } = capped(rows, limit);
      const unhealthy = rows.filter((r) => r.ready.split("/")[0] !== r.ready.split("/")[1]);
      return {
        summary: `${total} workloads in ${where}${truncated ? ` (first ${limit})` : ""}; not fully ready: ${unhealthy.map((r) => `${r.namespace}/${r.name} ${r.ready}`).join(", ") || "none"}`,
        data: { workloads: items, total, truncated },
      };
    },
  });

/** rollout_history: a Deployment's revisions from its ReplicaSets, as kubectl rollout history lists them. */
export const rolloutHistoryTool = ({ clusters, now }: ReadDeps) =>
  defineTool({
    name: "rollout_history",
    title: "Rollout history",
    description: "A Deployment's revisions (from its ReplicaSets): revision number, change-cause, images, when created, replicas, and which is current. Use before rollback to pick toRevision.",
    input: z.object({ cluster: clusterArg, namespace: namespaceArg, deployment: K8sName.describe("The Deployment's name") }),
    output: z.object({
      deployment: z.string(),
      currentRevision: z.number(),
      revisions: z.array(z.object({ revision: z.number(), replicaSet: z.string(), changeCause: z.string().optional(), images: z.array(z.string()), created: z.string().optional(), age: z.string(), replicas: z.number(), ready: z.number(), current: z.boolean() })),
    }),
    kind: "read",
    run: async ({ cluster, namespace, deployment }) => {
      const c = clusters.get(cluster);
      const dep = (await readWorkload(c, "Deployment", namespace, deployment)) as V1Deployment;
      const revs = await revisionsOf(c, dep);
      const current = Number(dep.metadata?.annotations?.[REVISION] ?? revs.at(-1)?.revision ?? 0);
      const t = now();
      const revisions = revs.map(({ rs, revision }) => {
        const cause = rs.metadata?.annotations?.[CHANGE_CAUSE];
        const created = iso(rs.metadata?.creationTimestamp);
        return {
          revision,
          replicaSet: rs.metadata?.name ?? "",
          ...(cause ? { changeCause: cause } : {}),
          images: (rs.spec?.template?.spec?.containers ?? []).map((x) => x.image ?? ""),
          ...(created ? { created } : {}),
          age: age(rs.metadata?.creationTimestamp, t),
          replicas: rs.status?.replicas ?? 0,
          ready: rs.status?.readyReplicas ?? 0,
          current: revision === current,
        };
      });
      return {
        summary: `${namespace}/${deployment} in ${cluster}: ${revisions.length} revisions, current ${current}\n${revisions.map((r) => `${r.revision}${r.current ? "*" : ""} ${r.images.join(",")} ${r.changeCause ?? "<none>"}`).join("\n")}`,
        data: { deployment, currentRevision: current, revisions },
      };
    },
  });
