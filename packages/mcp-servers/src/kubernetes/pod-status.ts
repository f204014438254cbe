import type { V1ContainerState, V1Pod } from "@kubernetes/client-node";
import { z } from "zod";
import { age, iso } from "./plain.js";

export const PodRow = z.object({
  name: z.string(),
  namespace: z.string(),
  phase: z.string(),
  status: z.string().describe("kubectl's STATUS: the reason when there is one (CrashLoopBackOff, OOMKilled, ImagePullBackOff, Terminating…), else the phase"),
  ready: z.string(),
  restarts: z.number(),
  lastTermination: z.string().optional().describe("The reason the last container run ended, e.g. OOMKilled, Error"),
  node: z.string().optional(),
  ip: z.string().optional(),
  age: z.string(),
  owner: z.string().optional(),
});
export type PodRow = z.infer<typeof PodRow>;

/** The reason kubectl shows for a pod (its STATUS column), from the containers' states. */
export function podStatus(pod: V1Pod): string {
  let reason = pod.status?.reason ?? pod.status?.phase ?? "Unknown";
  for (const c of pod.status?.initContainerStatuses ?? []) {
    const s = stateReason(c.state);
    if (s && s !== "Completed") return `Init:${s}`;
  }
  for (const c of pod.status?.containerStatuses ?? []) {
    const s = stateReason(c.state);
    if (c.state?.waiting?.reason || (c.state?.terminated && s)) reason = s ?? reason;
  }
  if (pod.metadata?.deletionTimestamp) reason = pod.status?.reason === "NodeLost" ? "Unknown" : "Terminating";
  return reason;
}

function stateReason(state: V1ContainerState | undefined): string | undefined {
  if (state?.waiting?.reason) return state.waiting.reason;
  const t = state?.terminated;
  if (t) return t.reason ?? (t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`);
  return undefined;
}

/** One pod as list_pods shows it. */
export function podRow(pod: V1Pod, now: Date): PodRow {
  const statuses = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers.length ?? statuses.length;
  const last = statuses.map((c) => c.lastState?.terminated?.reason).find((r) => r !== undefined);
  const owner = pod.metadata?.ownerReferences?.[0];
  return {
    name: pod.metadata?.name ?? "",
    namespace: pod.metadata?.namespace ?? "",
    phase: pod.status?.phase ?? "Unknown",
    status: podStatus(pod),
    ready: `${statuses.filter((c) => c.ready).length}/${total}`,
    restarts: statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    ...(last ? { lastTermination: last } : {}),
    ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
    ...(pod.status?.podIP ? { ip: pod.status.podIP } : {}),
    age: age(pod.metadata?.creationTimestamp, now),
    ...(owner ? { owner: `${owner.kind}/${owner.name}` } : {}),
  };
}

/** A container state as one line: "Running since …", "Waiting: CrashLoopBackOff (back-off …)", "Terminated: OOMKilled (exit 137) at …". */
export function describeState(state: V1ContainerState | undefined): string | undefined {
  if (!state) return undefined;
  if (state.running) return `Running since ${iso(state.running.startedAt) ?? "?"}`;
  if (state.waiting) return `Waiting: ${state.waiting.reason ?? "?"}${state.waiting.message ? ` (${state.waiting.message})` : ""}`;
  const t = state.terminated;
  if (t) return `Terminated: ${t.reason ?? "?"} (exit ${t.exitCode})${t.finishedAt ? ` at ${iso(t.finishedAt)}` : ""}${t.message ? `: ${t.message}` : ""}`;
  return undefined;
}
