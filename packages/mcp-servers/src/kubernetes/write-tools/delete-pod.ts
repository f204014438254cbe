import type { V1Pod } from "@kubernetes/client-node";
import { ActionParams } from "@autodevops/shared";
import { ToolError } from "../../core/tool-error.js";
import type { ClusterClients } from "../clusters.js";
import { k8sCall, statusOf } from "../k8s-errors.js";
import { objectDiff } from "../object-diff.js";
import { podStatus } from "../pod-status.js";
import { writeTool, type WriteDeps } from "./write-tool.js";

/** The workload a pod belongs to: its controller, through its ReplicaSet for a Deployment's pods. */
async function workloadOf(c: ClusterClients, pod: V1Pod): Promise<string | undefined> {
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0];
  if (!owner) return pod.metadata?.name;
  if (owner.kind !== "ReplicaSet") return owner.name;
  try {
    const rs = await c.apps.readNamespacedReplicaSet({ name: owner.name, namespace: pod.metadata?.namespace ?? "" });
    return rs.metadata?.ownerReferences?.find((o) => o.kind === "Deployment")?.name ?? owner.name;
  } catch (e) {
    if (statusOf(e) === 404) return owner.name;
    throw e;
  }
}

/** delete_pod: deletes one pod of the target workload, so its controller starts a fresh one. */
export const deletePodTool = (deps: WriteDeps) =>
  writeTool(
    {
      kind: "delete-pod",
      title: "Delete a pod",
      description: "Deletes one pod (params.pod) of the target workload gracefully; its controller replaces it. Refused when the pod does not belong to the target.",
      params: ActionParams["delete-pod"],
      target: "The workload the pod belongs to (Deployment, StatefulSet…), e.g. cart",
      perform: async ({ c, namespace, target, params, dryRun }) => {
        const pod = await k8sCall(`reading pod ${namespace}/${params.pod} in ${c.name}`, () => c.core.readNamespacedPod({ name: params.pod, namespace }));
        const owner = await k8sCall(`reading the owner of ${namespace}/${params.pod}`, () => workloadOf(c, pod));
        if (owner !== target) throw new ToolError(`refused: pod ${namespace}/${params.pod} belongs to ${owner ?? "nothing"}, not ${target}. Nothing was changed`);
        await k8sCall(`${dryRun ? "dry-run " : ""}deleting pod ${namespace}/${params.pod} in ${c.name}`, () => c.core.deleteNamespacedPod({ name: params.pod, namespace, ...(dryRun ? { dryRun: "All" } : {}) }));
        return {
          changed: true,
          diff: objectDiff(`pod/${namespace}/${params.pod}`, pod, null),
          state: { pod: params.pod, workload: target, node: pod.spec?.nodeName, statusBefore: podStatus(pod), deleted: !dryRun },
          notes: dryRun ? [] : [`${target}'s controller starts a replacement pod; list_pods -l shows it`],
        };
      },
    },
    deps,
  );
