import { ActionParams } from "@autodevops/shared";
import { cordon } from "./cordon.js";
import { writeTool, type WriteDeps } from "./write-tool.js";

/** cordon_node: marks a node unschedulable, so no new pods land there. */
export const cordonNodeTool = (deps: WriteDeps) =>
  writeTool(
    {
      kind: "cordon-node",
      title: "Cordon a node",
      description: "Marks a node unschedulable (spec.unschedulable: true), as kubectl cordon does: no new pods are scheduled there; running pods stay.",
      params: ActionParams["cordon-node"],
      target: "The node, e.g. node-b",
      nodeAction: true,
      idempotent: true,
      perform: async ({ c, target, dryRun }) => {
        const r = await cordon(c, target, dryRun);
        return { changed: r.changed, diff: r.diff, state: { node: target, unschedulable: r.node.spec?.unschedulable === true || !dryRun }, notes: r.changed ? [] : ["the node was already cordoned"] };
      },
    },
    deps,
  );
