import type { V1Container, V1Deployment, V1Node, V1Pod } from "@kubernetes/client-node";
import { z } from "zod";
import { K8sName } from "@autodevops/shared";
import { defineTool } from "../../core/define-tool.js";
import { ToolError } from "../../core/tool-error.js";
import type { ClusterClients } from "../clusters.js";
import { EventRow, eventRows, listEvents } from "../events.js";
import { clusterArg, type ReadDeps } from "../inputs.js";
import { k8sCall } from "../k8s-errors.js";
import { nodeRow } from "../node-summary.js";
import { age, iso, plain, type Plain } from "../plain.js";
import { describeState, podRow } from "../pod-status.js";
import { formatCpu, formatMemory, parseQuantity } from "../quantity.js";
import { CHANGE_CAUSE, readWorkload, REVISION, replicasOf, revisionsOf } from "../workloads.js";

const MAX_EVENTS = 20;

const containerSpec = (c: V1Container) => ({
  name: c.name,
  image: c.image ?? "",
  ...(c.resources?.requests ? { requests: c.resources.requests } : {}),
  ...(c.resources?.limits ? { limits: c.resources.limits } : {}),
  ...(c.readinessProbe ? { readinessProbe: probe(c.readinessProbe) } : {}),
  ...(c.livenessProbe ? { livenessProbe: probe(c.livenessProbe) } : {}),
  ...(c.env?.length ? { env: c.env.map((e) => (e.valueFrom ? `${e.name} from ${Object.keys(e.valueFrom)[0] ?? "?"}` : e.name)) } : {}),
});

const probe = (p: NonNullable<V1Container["readinessProbe"]>) =>
  p.httpGet ? `http-get ${p.httpGet.path ?? "/"} :${String(p.httpGet.port)}` : p.tcpSocket ? `tcp :${String(p.tcpSocket.port)}` : p.exec ? `exec ${(p.exec.command ?? []).join(" ")}` : "other";

const conditions = (cs: Array<{ type: string; status: string; reason?: string; message?: string }> | undefined) =>
  (cs ?? []).map((c) => ({ type: c.type, status: c.status, ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) }));

function describePod(pod: V1Pod, now: Date): Plain {
  const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  return {
    ...podRow(pod, now),
    started: iso(pod.status?.startTime),
    labels: pod.metadata?.labels ?? {},
    qosClass: pod.status?.qosClass,
    conditions: conditions(pod.status?.conditions),
    containers: (pod.spec?.containers ?? []).map((c) => {
      const s = statuses.get(c.name);
      return { ...containerSpec(c), state: describeState(s?.state), lastState: describeState(s?.lastState), ready: s?.ready ?? false, restarts: s?.restartCount ?? 0 };
    }),
  };
}

async function describeDeployment(c: ClusterClients, dep: V1Deployment, now: Date): Promise<Plain> {
  const revisions = await revisionsOf(c, dep);
  const current = dep.metadata?.annotations?.[REVISION];
  return {
    replicas: replicasOf("Deployment", dep),
    strategy: dep.spec?.strategy?.type,
    revision: current,
    changeCause: dep.metadata?.annotations?.[CHANGE_CAUSE],
    selector: dep.spec?.selector.matchLabels ?? {},
    age: age(dep.metadata?.creationTimestamp, now),
    containers: (dep.spec?.template.spec?.containers ?? []).map(containerSpec),
    conditions: conditions(dep.status?.conditions),
    replicaSets: revisions
      .filter(({ rs, revision }) => (rs.status?.replicas ?? 0) > 0 || String(revision) === current)
      .map(({ rs, revision }) => ({ name: rs.metadata?.name, revision, replicas: rs.status?.replicas ?? 0, ready: rs.status?.readyReplicas ?? 0, current: String(revision) === current })),
  };
}

async function describeNode(c: ClusterClients, node: V1Node, now: Date): Promise<Plain> {
  const name = node.metadata?.name ?? "";
  const pods = await k8sCall(`listing pods on ${name}`, () => c.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` }));
  let cpu = 0;
  let memory = 0;
  for (const p of pods.items) {
    if (p.status?.phase === "Succeeded" || p.status?.phase === "Failed") continue;
    for (const ct of p.spec?.containers ?? []) {
      cpu += parseQuantity(ct.resources?.requests?.cpu) ?? 0;
      memory += parseQuantity(ct.resources?.requests?.memory) ?? 0;
    }
  }
  return {
    ...nodeRow(node, now),
    addresses: (node.status?.addresses ?? []).map((a) => `${a.type}=${a.address}`),
    allocatedRequests: { cpu: formatCpu(cpu), memory: formatMemory(memory) },
    pods: pods.items.map((p) => podRow(p, now)).map((p) => `${p.namespace}/${p.name} ${p.status} ${p.ready}`),
  };
}

/** describe: a pod, Deployment or node as kubectl describe shows it, with its recent events. */
export const describeTool = ({ clusters, now }: ReadDeps) =>
  defineTool({
    name: "describe",
    title: "Describe",
    description:
      "Like kubectl describe, for a Pod, Deployment or Node: status, conditions, containers (image, state, last state such as OOMKilled or Error with exit code, restarts, requests/limits, probes), replica sets or the node's pods and allocated requests, and the object's recent events.",
    input: z.object({
      cluster: clusterArg,
      kind: z.enum(["Pod", "Deployment", "Node"]).describe("What to describe"),
      name: K8sName.describe("Its name"),
      namespace: K8sName.optional().describe("Namespace (required for Pod and Deployment)"),
    }),
    output: z.object({ kind: z.string(), name: z.string(), namespace: z.string().optional(), details: z.record(z.string(), z.unknown()), events: z.array(EventRow) }),
    kind: "read",
    run: async ({ cluster, kind, name, namespace }) => {
      const c = clusters.get(cluster);
      const t = now();
      if (kind !== "Node" && !namespace) throw new ToolError(`describe ${kind} needs a namespace`);
      const ns = namespace ?? "";
      let details: Plain;
      if (kind === "Pod") details = describePod(await k8sCall(`reading pod ${ns}/${name} in ${cluster}`, () => c.core.readNamespacedPod({ name, namespace: ns })), t);
      else if (kind === "Deployment") details = await describeDeployment(c, (await readWorkload(c, "Deployment", ns, name)) as V1Deployment, t);
      else details = await describeNode(c, await k8sCall(`reading node ${name} in ${cluster}`, () => c.core.readNode({ name })), t);
      // Node events are recorded in the default namespace, as kubelets and the node controller do.
      const events = eventRows(await listEvents(c, { namespace: kind === "Node" ? undefined : ns, kind, name }), t).slice(0, MAX_EVENTS);
      return {
        summary: `${kind} ${namespace ? `${namespace}/` : ""}${name} in ${cluster}; ${events.length} recent events${events.length ? `: ${events.slice(0, 5).map((e) => `${e.reason} (${e.message.slice(0, 80)})`).join("; ")}` : ""}`,
        data: { kind, name, ...(namespace ? { namespace } : {}), details: plain(details), events },
      };
    },
  });
