import type { ServerSpec } from "../core/create-server.js";
import type { ClusterSet } from "./clusters.js";
import { DecisionGuard } from "./decision-guard.js";
import { listClustersTool, listNamespacesTool } from "./read-tools/clusters.js";
import { describeTool } from "./read-tools/describe.js";
import { listEventsTool } from "./read-tools/events.js";
import { getResourceTool } from "./read-tools/get-resource.js";
import { listNodesTool } from "./read-tools/nodes.js";
import { listPodsTool, podLogsTool } from "./read-tools/pods.js";
import { resourceUsageTool } from "./read-tools/resource-usage.js";
import { listWorkloadsTool, rolloutHistoryTool } from "./read-tools/workloads.js";
import { cordonNodeTool } from "./write-tools/cordon-node.js";
import { deletePodTool } from "./write-tools/delete-pod.js";
import { drainNodeTool } from "./write-tools/drain-node.js";
import { rollbackTool } from "./write-tools/rollback.js";
import { rolloutRestartTool } from "./write-tools/rollout-restart.js";
import { scaleTool } from "./write-tools/scale.js";
import { setResourcesTool } from "./write-tools/set-resources.js";

export type KubernetesServerOptions = {
  clusters: ClusterSet;
  /** PEM of the policy layer's Ed25519 public key; without it every non-dry-run write is refused. */
  policyPublicKeyPem: string | undefined;
  now?: () => Date;
};

const INSTRUCTIONS = `Reads and changes Kubernetes clusters. Every tool takes \`cluster\` (list_clusters names them).
Start broad (list_workloads, list_pods with unhealthyOnly, list_events with warningsOnly), then narrow (describe, pod_logs with previous: true after a crash, rollout_history).
Write tools (delete_pod, rollout_restart, rollback, scale, set_resources, cordon_node, drain_node) mirror Scarlet's actions: call them with dryRun: true to see the exact change as a diff; without dryRun they need a policy decision token for exactly that action.
Secret values are never returned.`;

/** The kubernetes MCP server: read tools over every configured cluster, and one write tool per action kind behind the decision gate. */
export function kubernetesServer(opts: KubernetesServerOptions): ServerSpec {
  const now = opts.now ?? (() => new Date());
  const read = { clusters: opts.clusters, now };
  const write = { ...read, guard: new DecisionGuard({ publicKeyPem: opts.policyPublicKeyPem, now }) };
  return {
    name: "autodevops-kubernetes",
    version: "0.1.0",
    instructions: INSTRUCTIONS,
    tools: [
      listClustersTool(read),
      listNamespacesTool(read),
      listWorkloadsTool(read),
      listPodsTool(read),
      getResourceTool(read),
      describeTool(read),
      listNodesTool(read),
      listEventsTool(read),
      podLogsTool(read),
      rolloutHistoryTool(read),
      resourceUsageTool(read),
      deletePodTool(write),
      rolloutRestartTool(write),
      rollbackTool(write),
      scaleTool(write),
      setResourcesTool(write),
      cordonNodeTool(write),
      drainNodeTool(write),
    ],
  };
}
