import { action, confidence, named } from "./evidence.js";
import type { Playbook } from "./types.js";

const NODE_DOWN = ["node.not-ready", "KubeNodeNotReady", "event.node-not-ready"];

export const nodeNotReady: Playbook = {
  kind: "node-not-ready",
  diagnose(fs, ctx) {
    const direct = named(fs, NODE_DOWN);
    const lost = named(fs, ["pod.node-lost"]);
    const node = direct.find((f) => f.node)?.node ?? lost.find((f) => f.node)?.node;
    if (!node) return undefined;
    const mine = [...direct, ...lost].filter((f) => f.node === node);
    const stranded = [...new Set(lost.filter((f) => f.node === node).map((f) => `${f.namespace}/${f.workload ?? f.pod ?? "?"}`))];
    return {
      kind: "node-not-ready",
      confidence: confidence(direct.length > 0 ? 0.85 : 0.6, mine),
      cluster: mine[0]?.cluster ?? ctx.cluster,
      namespace: "",
      node,
      summary: `node ${node} is not Ready${stranded.length > 0 ? `; ${stranded.length} workloads lost replicas there` : ""}`,
      evidence: [...mine.flatMap((f) => [f.summary, ...f.evidence]), ...(stranded.length > 0 ? [`stranded: ${stranded.join(", ")}`] : [])].slice(0, 20),
      ruledOut: stranded.length > 0 ? ["the workloads' lost replicas are symptoms of the node, not faults of their own"] : [],
      details: { cordoned: mine.some((f) => f.labels.cordoned === "true") },
    };
  },
  candidates(d) {
    if (!d.node) return { route: "escalate", reason: "no node named", nextStep: "find the node that stopped reporting" };
    const base = { cluster: d.cluster, namespace: "", target: d.node };
    return {
      route: "act",
      candidates: [
        { action: action({ ...base, kind: "drain-node", params: {} }), risk: "medium", why: `cordon ${d.node} and evict its pods through the Eviction API (budgets respected) so they reschedule on healthy nodes; it moves many workloads at once` },
        ...(d.details.cordoned ? [] : [{ action: action({ ...base, kind: "cordon-node", params: {} }), risk: "low" as const, why: `stop new pods landing on ${d.node}; it does not move the pods stranded there` }]),
      ],
    };
  },
};
