import { z } from "zod";

/**
 * What an answer rests on. `kind` is CONTRACTS §6's; `ref` names the thing so it can be found
 * again (`prod/shop/deployment/cart`, an incident id, a LogQL or PromQL query, an event);
 * `label` is what a person reads.
 */
export const Citation = z.object({
  kind: z.enum(["metric", "log", "trace", "event", "incident", "resource"]),
  ref: z.string().min(1),
  label: z.string().optional(),
});
export type Citation = z.infer<typeof Citation>;

/** What the assistant streams while it answers: tool calls, text, citations, then done. */
export const ChatEvent = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("tool"),
    id: z.string(),
    name: z.string(),
    args: z.record(z.string(), z.unknown()),
    status: z.enum(["started", "done", "failed"]),
    /** Truncated, secrets redacted. */
    result: z.string().optional(),
  }),
  z.object({ type: z.literal("token"), text: z.string() }),
  z.object({ type: z.literal("citation"), citation: Citation }),
  z.object({ type: z.literal("done"), answer: z.string(), citations: z.array(Citation) }),
]);
export type ChatEvent = z.infer<typeof ChatEvent>;

export type Emit = (e: ChatEvent) => void;

/** An answer and the data it used. */
export type Answer = { answer: string; citations: Citation[] };

/** Refs of Kubernetes objects, the same in every answer. */
export const refs = {
  workload: (cluster: string, namespace: string, kind: string, name: string) => `${cluster}/${namespace}/${kind.toLowerCase()}/${name}`,
  pod: (cluster: string, namespace: string, name: string) => `${cluster}/${namespace}/pod/${name}`,
  node: (cluster: string, name: string) => `${cluster}/node/${name}`,
  namespace: (cluster: string, namespace: string) => `${cluster}/namespace/${namespace}`,
  event: (cluster: string, namespace: string, object: string, reason: string) => `${cluster}/${namespace}/event/${object}/${reason}`,
};

/** Citations without repeats (same kind and ref), in first-seen order. */
export function uniqueCitations(cs: readonly Citation[]): Citation[] {
  const seen = new Set<string>();
  return cs.filter((c) => {
    const k = `${c.kind}|${c.ref}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
