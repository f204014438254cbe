import { z } from "zod";
import type { Logger } from "@autodevops/shared";
import type { ScarletClient } from "../../scarlet/scarlet-client.js";
import type { Estate } from "../estate.js";
import type { ReadToolbox } from "../read-tools.js";

/** A memory hit, as the vector memory returns it. */
export type MemoryHit = { text: string; score: number; kind: string; metadata: Record<string, unknown> };
/** Looks up what was remembered about a query for a user (the vector memory's recall). */
export type Recall = (query: string, userId: string) => Promise<MemoryHit[]>;

export const ChatUser = z.object({ id: z.string().min(1), role: z.enum(["viewer", "approver", "admin"]) });
export type ChatUser = z.infer<typeof ChatUser>;

/** The Scarlet calls the assistant makes: reads, and proposals (never decisions). */
export type ScarletPort = Pick<ScarletClient, "listIncidents" | "getIncident" | "listApprovals" | "propose">;

/** What every no-model answer needs. */
export interface AnswerContext {
  tools: ReadToolbox;
  scarlet: ScarletPort;
  recall?: Recall | undefined;
  estate: Estate;
  user: ChatUser;
  message: string;
  /** owner/name of the repository whose commits "what changed" lists, when GitHub is configured. */
  githubRepo?: string | undefined;
  log: Logger;
  signal?: AbortSignal | undefined;
  now: Date;
}

// Only the fields the answers read of each tool's structured output; the rest passes unchecked.
export const PodRow = z.object({
  name: z.string(),
  namespace: z.string(),
  status: z.string(),
  ready: z.string(),
  restarts: z.number(),
  lastTermination: z.string().optional(),
  node: z.string().optional(),
  age: z.string().optional(),
  owner: z.string().optional(),
});
export type PodRow = z.infer<typeof PodRow>;
export const PodsOut = z.object({ pods: z.array(PodRow), total: z.number() });
export const WorkloadRow = z.object({
  kind: z.string(),
  name: z.string(),
  namespace: z.string(),
  ready: z.string(),
  available: z.number().optional(),
  images: z.array(z.string()).default([]),
  revision: z.string().optional(),
  conditions: z.array(z.object({ type: z.string(), status: z.string(), reason: z.string().optional(), message: z.string().optional() })).default([]),
});
export type WorkloadRow = z.infer<typeof WorkloadRow>;
export const WorkloadsOut = z.object({ workloads: z.array(WorkloadRow) });
export const EventRow = z.object({ age: z.string(), type: z.string(), reason: z.string(), object: z.string(), namespace: z.string(), message: z.string(), count: z.number().default(1) });
export type EventRow = z.infer<typeof EventRow>;
export const EventsOut = z.object({ events: z.array(EventRow) });
export const PodLogsOut = z.object({ pod: z.string(), container: z.string(), previous: z.boolean(), log: z.string() });
export const DescribeOut = z.object({
  details: z.object({
    containers: z.array(z.object({ name: z.string(), state: z.string().optional(), lastState: z.string().optional(), restarts: z.number().default(0) })).default([]),
  }),
  events: z.array(EventRow),
});
export const AlertsOut = z.object({
  cluster: z.string(),
  firing: z.number(),
  pending: z.number(),
  alerts: z.array(z.object({ alertname: z.string(), state: z.string(), labels: z.string(), activeAt: z.string(), summary: z.string() })),
});
export const LokiOut = z.object({
  query: z.string(),
  lines: z.number(),
  byLevel: z.record(z.string(), z.number()).default({}),
  topErrors: z.array(z.object({ message: z.string(), count: z.number(), example: z.string(), lastAt: z.string() })).default([]),
  newest: z.array(z.object({ labels: z.string(), newest: z.array(z.object({ at: z.string(), line: z.string() })) })).default([]),
});
export const HistoryOut = z.object({
  deployment: z.string(),
  currentRevision: z.number(),
  revisions: z.array(z.object({ revision: z.number(), changeCause: z.string().optional(), images: z.array(z.string()), age: z.string(), current: z.boolean() })),
});
export const CommitsOut = z.object({ repo: z.string(), commits: z.array(z.object({ sha: z.string(), author: z.string(), date: z.string(), message: z.string(), url: z.string() })) });

/** The workload a pod belongs to, by its generated name (`cart-7d9f8c6b5-x2k4q` → cart). */
export function workloadOfPod(pod: string, workloads: readonly { name: string }[]): string | undefined {
  return workloads
    .filter((w) => pod.startsWith(`${w.name}-`))
    .sort((a, b) => b.name.length - a.name.length)[0]?.name;
}

/** The workloads of a cluster in the estate (for pod ownership). */
export const estateWorkloads = (estate: Estate, cluster: string) => estate.clusters.find((c) => c.name === cluster)?.workloads ?? [];

/** "prod/shop", "prod", "prod/shop/cart": where a question points, as a person reads it. */
export const whereOf = (s: { cluster: string; namespace?: string | undefined; workload?: string | undefined }) => [s.cluster, s.namespace, s.workload].filter(Boolean).join("/");
