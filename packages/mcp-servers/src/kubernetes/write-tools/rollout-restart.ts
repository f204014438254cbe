import * as k8s from "@kubernetes/client-node";
import { ActionParams } from "@autodevops/shared";
import { objectDiff } from "../object-diff.js";
import { patchWorkload, readWorkload, replicasOf } from "../workloads.js";
import { writeTool, type WriteDeps } from "./write-tool.js";

export const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

/** RFC 3339 to the second, as kubectl writes the annotation. */
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** rollout_restart: patches the pod template's restartedAt annotation, as kubectl rollout restart does. */
export const rolloutRestartTool = (deps: WriteDeps) =>
  writeTool(
    {
      kind: "rollout-restart",
      title: "Rollout restart",
      description: "Restarts every pod of a Deployment, StatefulSet or DaemonSet by a rolling update: patches the pod template annotation kubectl.kubernetes.io/restartedAt to now, as kubectl rollout restart does.",
      params: ActionParams["rollout-restart"],
      target: "The workload to restart (params.workloadKind, default Deployment)",
      perform: async ({ c, namespace, target, params, dryRun, now }) => {
        const kind = params.workloadKind;
        const before = await readWorkload(c, kind, namespace, target);
        const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: rfc3339(now) } } } } };
        const after = await patchWorkload(c, kind, namespace, target, body, k8s.PatchStrategy.StrategicMergePatch, dryRun);
        return {
          changed: true,
          diff: objectDiff(`${kind.toLowerCase()}/${namespace}/${target}`, before, after),
          state: { kind, restartedAt: rfc3339(now), replicas: replicasOf(kind, after), generation: after.metadata?.generation },
          notes: dryRun ? [] : ["the controller now replaces the pods one by one; list_pods or list_workloads shows the progress"],
        };
      },
    },
    deps,
  );
