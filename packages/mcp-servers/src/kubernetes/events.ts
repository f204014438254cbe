import type { CoreV1Event } from "@kubernetes/client-node";
import { z } from "zod";
import type { ClusterClients } from "./clusters.js";
import { k8sCall } from "./k8s-errors.js";
import { age, iso } from "./plain.js";

export const EventRow = z.object({
  lastSeen: z.string().optional(),
  age: z.string(),
  type: z.string(),
  reason: z.string(),
  object: z.string().describe("Kind/name of the object the event is about"),
  namespace: z.string(),
  message: z.string(),
  count: z.number(),
});
export type EventRow = z.infer<typeof EventRow>;

const lastSeenOf = (e: CoreV1Event) => e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;

/** Events as rows, newest first. */
export function eventRows(events: readonly CoreV1Event[], now: Date): EventRow[] {
  return [...events]
    .sort((a, b) => new Date(lastSeenOf(b) ?? 0).getTime() - new Date(lastSeenOf(a) ?? 0).getTime())
    .map((e) => {
      const lastSeen = iso(lastSeenOf(e));
      return {
        ...(lastSeen ? { lastSeen } : {}),
        age: age(lastSeenOf(e), now),
        type: e.type ?? "",
        reason: e.reason ?? "",
        object: `${e.involvedObject.kind ?? ""}/${e.involvedObject.name ?? ""}`,
        namespace: e.metadata?.namespace ?? "",
        message: (e.message ?? "").slice(0, 500),
        count: e.count ?? 1,
      };
    });
}

export type EventQuery = { namespace?: string | undefined; kind?: string | undefined; name?: string | undefined; type?: "Warning" | "Normal" | undefined };

/** Events matching the query, through field selectors the API server applies. */
export async function listEvents(c: ClusterClients, q: EventQuery): Promise<CoreV1Event[]> {
  const fields = [q.kind && `involvedObject.kind=${q.kind}`, q.name && `involvedObject.name=${q.name}`, q.type && `type=${q.type}`].filter(Boolean).join(",");
  const opts = fields ? { fieldSelector: fields } : {};
  const namespace = q.namespace;
  const list = await k8sCall(`listing events in ${c.name}${namespace ? `/${namespace}` : ""}`, () => (namespace !== undefined ? c.core.listNamespacedEvent({ namespace, ...opts }) : c.core.listEventForAllNamespaces(opts)));
  return list.items;
}
