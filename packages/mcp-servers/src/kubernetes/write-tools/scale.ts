import * as k8s from "@kubernetes/client-node";
import { ActionParams } from "@autodevops/shared";
import { ToolError } from "../../core/tool-error.js";
import { k8sCall } from "../k8s-errors.js";
import { objectDiff } from "../object-diff.js";
import { plain } from "../plain.js";
import { readWorkload, replicasOf } from "../workloads.js";
import { writeTool, type WriteDeps } from "./write-tool.js";

/** scale: sets replicas through the scale subresource, as kubectl scale does (`from` is --current-replicas). */
export const scaleTool = (deps: WriteDeps) =>
  writeTool(
    {
      kind: "scale",
      title: "Scale a workload",
      description: "Sets a Deployment's or StatefulSet's replicas through the scale subresource. params.from, when given, must equal the current replicas (like kubectl scale --current-replicas), so a stale decision cannot scale twice.",
      params: ActionParams.scale,
      target: "The Deployment or StatefulSet (params.workloadKind, default Deployment)",
      idempotent: true,
      perform: async ({ c, namespace, target, params, dryRun }) => {
        const kind = params.workloadKind;
        const before = await readWorkload(c, kind, namespace, target);
        const current = before.spec && "replicas" in before.spec ? (before.spec.replicas ?? 0) : 0;
        if (params.from !== undefined && params.from !== current) {
          throw new ToolError(`refused: ${kind} ${namespace}/${target} has ${current} replicas, not ${params.from} (params.from); read it again and decide anew. Nothing was changed`);
        }
        const req = { name: target, namespace, body: { spec: { replicas: params.replicas } }, ...(dryRun ? { dryRun: "All" } : {}) };
        const merge = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
        const notes: string[] = [];
        if (current === params.replicas) notes.push(`already at ${current} replicas`);
        else
          await k8sCall(`${dryRun ? "dry-run " : ""}scaling ${kind} ${namespace}/${target} to ${params.replicas} in ${c.name}`, () =>
            kind === "Deployment" ? c.apps.patchNamespacedDeploymentScale(req, merge) : c.apps.patchNamespacedStatefulSetScale(req, merge),
          );
        // The scale subresource answers with a Scale; the diff shows the workload's field it sets.
        const after = plain(before);
        after.spec = { ...(after.spec as object), replicas: params.replicas };
        const now = dryRun ? before : await readWorkload(c, kind, namespace, target);
        return {
          changed: current !== params.replicas,
          diff: objectDiff(`${kind.toLowerCase()}/${namespace}/${target}`, before, after),
          state: { kind, replicas: replicasOf(kind, now), from: current, to: params.replicas },
          notes,
        };
      },
    },
    deps,
  );
