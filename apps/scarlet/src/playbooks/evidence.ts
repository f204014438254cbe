import { Action, type Finding } from "@autodevops/shared";
import type { Diagnosis, PlaybookContext, WorkloadFacts } from "./types.js";

/** Finding names by what they show (detector names and the alerts of deploy/prometheus/rules.yaml). */
export const CRASH = ["pod.crashloop", "event.crash-backoff", "KubePodCrashLooping"];
export const OOM = ["pod.oomkilled", "event.oom-killing", "memory.at-limit"];
export const LEAK = ["memory.climbing"];
export const NOT_READY = ["pod.not-ready", "event.unhealthy", "KubePodNotReady"];
export const ERRORS = ["metric.error-share", "HighErrorRate"];
export const SATURATION = ["metric.cpu-throttling", "metric.cpu-saturation", "CPUThrottlingHigh"];
export const IMAGE_PULL = ["pod.image-pull", "event.image-pull"];
export const ROLLOUT_STALLED = ["workload.rollout-stalled", "workload.replicas-unavailable", "KubeDeploymentReplicasMismatch"];

export const named = (fs: readonly Finding[], names: readonly string[]) => fs.filter((f) => names.includes(f.name));
export const ofKind = (fs: readonly Finding[], kinds: readonly string[]) => fs.filter((f) => kinds.includes(f.kind));
export const onWorkload = (fs: readonly Finding[], namespace: string, workload: string) => fs.filter((f) => f.namespace === namespace && f.workload === workload);

/** The workloads the findings name, most findings first. */
export function workloadsOf(fs: readonly Finding[]): { namespace: string; workload: string }[] {
  const counts = new Map<string, number>();
  for (const f of fs) if (f.workload) counts.set(`${f.namespace}/${f.workload}`, (counts.get(`${f.namespace}/${f.workload}`) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => ({ namespace: k.split("/")[0] ?? "", workload: k.split("/").slice(1).join("/") }));
}

export const factsOf = (ctx: PlaybookContext, namespace: string, name: string): WorkloadFacts | undefined => ctx.workloads?.find((w) => w.namespace === namespace && w.name === name);

export const podsOf = (fs: readonly Finding[]) => [...new Set(fs.flatMap((f) => (f.pod ? [f.pod] : [])))].sort();

export const numLabel = (fs: readonly Finding[], key: string): number[] => fs.flatMap((f) => (f.labels[key] !== undefined && Number.isFinite(Number(f.labels[key])) ? [Number(f.labels[key])] : []));

/** What calls `namespace/name`, by the call graph. */
export const callersOf = (ctx: PlaybookContext, namespace: string, name: string) =>
  Object.entries(ctx.calls ?? {}).filter(([, callees]) => callees.includes(`${namespace}/${name}`)).map(([caller]) => caller);
export const calleesOf = (ctx: PlaybookContext, namespace: string, name: string) => ctx.calls?.[`${namespace}/${name}`] ?? [];

/** A revision rolled out within the window over one that served (revision 1 is the workload's birth, not a rollout). */
export function recentRollout(facts: WorkloadFacts | undefined, ctx: PlaybookContext): boolean {
  // A revision that replaced one which never served is the workload's first real one, not a change.
  if (!facts?.revisionAt || (facts.revision ?? 0) < 2 || facts.previousRan === false) return false;
  const age = ctx.now.getTime() - Date.parse(facts.revisionAt);
  return age >= 0 && age <= (ctx.rolloutWindowMs ?? 30 * 60_000);
}

/** Whether any of the findings was seen before the current revision existed (the trouble predates the rollout). */
export const predates = (fs: readonly Finding[], facts: WorkloadFacts | undefined) =>
  facts?.revisionAt !== undefined && fs.some((f) => Date.parse(f.at) < Date.parse(facts.revisionAt ?? ""));

/** Base confidence, raised a little for every independent signal source that agrees. */
export function confidence(base: number, fs: readonly Finding[]): number {
  const sources = new Set(fs.map((f) => f.source)).size;
  return Math.min(0.97, Math.round((base + 0.05 * Math.max(0, sources - 1)) * 100) / 100);
}

/** The findings' evidence, each line named after its finding, without repeats. */
export function evidenceOf(fs: readonly Finding[], max = 10): string[] {
  const lines = fs.flatMap((f) => [`${f.name}${f.pod ? ` ${f.pod}` : f.node ? ` ${f.node}` : ""}: ${f.summary}`, ...f.evidence.map((e) => `  ${e}`)]);
  return [...new Set(lines)].slice(0, max * 2);
}

/** A diagnosis of `kind` on a workload, with the evidence of `fs`. */
export function onWorkloadDiagnosis(d: Omit<Diagnosis, "evidence" | "ruledOut" | "details"> & Partial<Pick<Diagnosis, "ruledOut" | "details">>, fs: readonly Finding[], extra: string[] = []): Diagnosis {
  return { ...d, evidence: [...extra, ...evidenceOf(fs)], ruledOut: d.ruledOut ?? [], details: d.details ?? {} };
}

/** Builds an action through the shared schema: a playbook that makes an invalid one has a bug. */
export function action(a: { kind: Action["kind"]; cluster: string; namespace: string; target: string; params: Record<string, unknown> }): Action {
  return Action.parse(a);
}

/** A memory quantity rounded up to a whole 64Mi. */
export function memoryQuantity(bytes: number): string {
  const mib = Math.ceil(bytes / 2 ** 20 / 64) * 64;
  return `${mib}Mi`;
}
