import * as k8s from "@kubernetes/client-node";
import type { ClusterClients } from "../clusters.js";
import { k8sCall } from "../k8s-errors.js";
import { objectDiff } from "../object-diff.js";

/** Marks a node unschedulable (spec.unschedulable: true) as kubectl cordon does; no call when it already is. */
export async function cordon(c: ClusterClients, node: string, dryRun: boolean): Promise<{ changed: boolean; diff: string; node: k8s.V1Node }> {
  const before = await k8sCall(`reading node ${node} in ${c.name}`, () => c.core.readNode({ name: node }));
  if (before.spec?.unschedulable === true) return { changed: false, diff: "", node: before };
  const after = await k8sCall(`${dryRun ? "dry-run " : ""}cordoning node ${node} in ${c.name}`, () =>
    c.core.patchNode({ name: node, body: { spec: { unschedulable: true } }, ...(dryRun ? { dryRun: "All" } : {}) }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch)),
  );
  return { changed: true, diff: objectDiff(`node/${node}`, before, after), node: after };
}
