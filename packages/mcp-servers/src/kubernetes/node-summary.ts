import type { V1Node } from "@kubernetes/client-node";
import { z } from "zod";
import { age } from "./plain.js";

export const NodeRow = z.object({
  name: z.string(),
  ready: z.string().describe("The Ready condition: True, False or Unknown"),
  unschedulable: z.boolean(),
  conditions: z.array(z.object({ type: z.string(), status: z.string(), reason: z.string().optional(), message: z.string().optional() })),
  taints: z.array(z.string()),
  capacity: z.record(z.string(), z.string()),
  allocatable: z.record(z.string(), z.string()),
  kubeletVersion: z.string().optional(),
  age: z.string(),
});
export type NodeRow = z.infer<typeof NodeRow>;

const RESOURCES = ["cpu", "memory", "pods", "ephemeral-storage"];
const pick = (r: Record<string, string> | undefined) => Object.fromEntries(Object.entries(r ?? {}).filter(([k]) => RESOURCES.includes(k)));

/** A node's state as list_nodes and describe show it. */
export function nodeRow(n: V1Node, now: Date): NodeRow {
  const conditions = n.status?.conditions ?? [];
  return {
    name: n.metadata?.name ?? "",
    ready: conditions.find((c) => c.type === "Ready")?.status ?? "Unknown",
    unschedulable: n.spec?.unschedulable === true,
    conditions: conditions.map((c) => ({ type: c.type, status: c.status, ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) })),
    taints: (n.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`),
    capacity: pick(n.status?.capacity),
    allocatable: pick(n.status?.allocatable),
    ...(n.status?.nodeInfo?.kubeletVersion ? { kubeletVersion: n.status.nodeInfo.kubeletVersion } : {}),
    age: age(n.metadata?.creationTimestamp, now),
  };
}
