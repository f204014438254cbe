import * as k8s from "@kubernetes/client-node";
import { ActionParams } from "@autodevops/shared";
import { ToolError } from "../../core/tool-error.js";
import { objectDiff } from "../object-diff.js";
import { plain } from "../plain.js";
import { CHANGE_CAUSE, patchWorkload, readWorkload, REVISION, revisionsOf } from "../workloads.js";
import { writeTool, type WriteDeps } from "./write-tool.js";

/** rollback: restores an earlier ReplicaSet's pod template onto the Deployment, as kubectl rollout undo does. */
export const rollbackTool = (deps: WriteDeps) =>
  writeTool(
    {
      kind: "rollback",
      title: "Roll back a Deployment",
      description: "Rolls a Deployment back to its previous revision (or params.toRevision, from rollout_history): the revision's pod template (without its pod-template-hash label) and change-cause are restored onto the Deployment, as kubectl rollout undo does.",
      params: ActionParams.rollback,
      target: "The Deployment",
      perform: async ({ c, namespace, target, params, dryRun }) => {
        const before = (await readWorkload(c, "Deployment", namespace, target)) as k8s.V1Deployment;
        const revisions = await revisionsOf(c, before);
        const current = Number(before.metadata?.annotations?.[REVISION] ?? revisions.at(-1)?.revision ?? 0);
        const known = revisions.map((r) => r.revision).join(", ") || "none";
        const chosen = params.toRevision !== undefined ? revisions.find((r) => r.revision === params.toRevision) : revisions.filter((r) => r.revision < current).at(-1);
        if (!chosen) {
          throw new ToolError(
            params.toRevision !== undefined
              ? `Deployment ${namespace}/${target} has no revision ${params.toRevision} (revisions: ${known}). Nothing was changed`
              : `Deployment ${namespace}/${target} has no revision before ${current} to roll back to (revisions: ${known}). Nothing was changed`,
          );
        }
        if (chosen.revision === current) throw new ToolError(`Deployment ${namespace}/${target} is already at revision ${current}. Nothing was changed`);
        const template = plain(chosen.rs.spec?.template);
        const meta = { ...((template.metadata ?? {}) as { labels?: Record<string, string> }) };
        if (meta.labels) {
          const { "pod-template-hash": _hash, ...labels } = meta.labels;
          meta.labels = labels;
        }
        template.metadata = meta;
        const annotations = { ...(before.metadata?.annotations ?? {}) };
        const cause = chosen.rs.metadata?.annotations?.[CHANGE_CAUSE];
        if (cause) annotations[CHANGE_CAUSE] = cause;
        else delete annotations[CHANGE_CAUSE];
        const ops = [
          { op: "replace", path: "/spec/template", value: template },
          { op: "add", path: "/metadata/annotations", value: annotations },
        ];
        const after = await patchWorkload(c, "Deployment", namespace, target, ops, k8s.PatchStrategy.JsonPatch, dryRun);
        const diff = objectDiff(`deployment/${namespace}/${target}`, before, after);
        const containers = (chosen.rs.spec?.template?.spec?.containers ?? []).map((x) => ({ name: x.name, image: x.image ?? "" }));
        const images = containers.map((x) => x.image);
        return {
          changed: diff !== "",
          diff,
          state: { fromRevision: current, toRevision: chosen.revision, replicaSet: chosen.rs.metadata?.name, images, containers, ...(cause ? { changeCause: cause } : {}) },
          notes: dryRun ? [] : [`the Deployment now rolls out revision ${chosen.revision}'s template (it gets a new revision number); list_workloads or rollout_history shows the progress`],
        };
      },
    },
    deps,
  );
