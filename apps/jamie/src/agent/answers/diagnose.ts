import type { Citation, Answer } from "../chat-events.js";
import { refs } from "../chat-events.js";
import type { Intent } from "../intents.js";
import { count, listOf, say } from "../persona.js";
import { callRead } from "../read-tools.js";
import {
  DescribeOut,
  estateWorkloads,
  EventsOut,
  PodLogsOut,
  PodsOut,
  whereOf,
  workloadOfPod,
  WorkloadsOut,
  type AnswerContext,
  type EventRow,
  type PodRow,
  type WorkloadRow,
} from "./context.js";

type Scope = { cluster: string; namespace?: string | undefined; workload?: string | undefined };

const CRASHY = /CrashLoopBackOff|Error|OOMKilled|ExitCode|Signal/;
const readyParts = (r: string) => r.split("/").map(Number) as [number, number];
const notReady = (w: WorkloadRow) => {
  const [ready, desired] = readyParts(w.ready);
  return ready < desired;
};

/** The last line that looks like the reason a process died, else the last line. */
function lastWords(log: string): string | undefined {
  const lines = log.split("\n").map((l) => l.trim()).filter(Boolean);
  return [...lines].reverse().find((l) => /panic|fatal|error|exception|killed|out of memory|oom/i.test(l)) ?? lines.at(-1);
}

const clip = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n)}…` : s);

const healthyPod = (p: PodRow) => p.status === "Running" && readyParts(p.ready)[0] === readyParts(p.ready)[1];

function podStatusSummary(pods: PodRow[]): string {
  const statuses = new Map<string, number>();
  for (const p of pods) {
    const label = p.status === "Running" && !healthyPod(p) ? "Running but not ready" : p.status;
    statuses.set(label, (statuses.get(label) ?? 0) + 1);
  }
  const restarts = pods.reduce((n, p) => n + p.restarts, 0);
  const last = pods.map((p) => p.lastTermination).find(Boolean);
  return `${[...statuses].map(([s, n]) => `${n}× ${s}`).join(", ")}${restarts ? `, ${count(restarts, "restart")}` : ""}${last ? `, last exit ${last}` : ""}`;
}

/** What one workload shows: pods not healthy, pods that restarted, replicas missing, warning events. */
type Trouble = { namespace: string; name: string; bad: PodRow[]; restarted: PodRow[]; workload?: WorkloadRow | undefined; warnings: EventRow[] };

/** 3: crashing now; 2: pods not healthy or replicas missing; 1: restarts or warnings only. */
const severity = (t: Trouble) => (t.bad.some((p) => CRASHY.test(p.status)) ? 3 : t.bad.length || (t.workload && notReady(t.workload)) ? 2 : 1);

/** "What's wrong?": unhealthy and restarting pods, workloads short of replicas and warning events in the scope, worst first. */
export async function whatsWrong(intent: Extract<Intent, { type: "whats-wrong" }>, ctx: AnswerContext): Promise<Answer> {
  const { cluster, namespace, workload } = intent;
  const where = whereOf(intent);
  const nsArg = namespace ? { namespace } : {};
  const [pods, workloads, events] = await Promise.all([
    callRead(ctx.tools, "list_pods", { cluster, ...nsArg }, PodsOut, ctx.signal),
    callRead(ctx.tools, "list_workloads", { cluster, ...nsArg }, WorkloadsOut, ctx.signal),
    callRead(ctx.tools, "list_events", { cluster, ...nsArg, warningsOnly: true, limit: 50 }, EventsOut, ctx.signal),
  ]);
  if (!pods.ok && !workloads.ok) return { answer: say.cannotRead(`the state of ${where}`, pods.error.message), citations: [] };
  const known = estateWorkloads(ctx.estate, cluster);
  const ownerOf = (podOrObject: string) => {
    const [kind, name = podOrObject] = podOrObject.includes("/") ? podOrObject.split("/") : ["Pod", podOrObject];
    return kind === "Pod" ? (workloadOfPod(name, known) ?? name) : name;
  };
  const inScope = (name: string) => !workload || name === workload;

  const troubles = new Map<string, Trouble>();
  const of = (ns: string, name: string) => {
    const key = `${ns}/${name}`;
    const t = troubles.get(key) ?? { namespace: ns, name, bad: [], restarted: [], warnings: [] };
    troubles.set(key, t);
    return t;
  };
  for (const p of pods.ok ? pods.value.data.pods : []) {
    const w = ownerOf(p.name);
    if (!inScope(w)) continue;
    if (!healthyPod(p) && p.status !== "Completed") of(p.namespace, w).bad.push(p);
    else if (p.restarts > 0) of(p.namespace, w).restarted.push(p);
  }
  for (const w of workloads.ok ? workloads.value.data.workloads : []) if (notReady(w) && inScope(w.name)) of(w.namespace, w.name).workload = w;
  for (const e of events.ok ? events.value.data.events : []) {
    const w = ownerOf(e.object);
    if (inScope(w)) of(e.namespace, w).warnings.push(e);
  }
  for (const t of troubles.values()) t.workload ??= workloads.ok ? workloads.value.data.workloads.find((x) => x.namespace === t.namespace && x.name === t.name) : undefined;

  if (troubles.size === 0) {
    const total = workloads.ok ? workloads.value.data.workloads.filter((w) => inScope(w.name)).length : undefined;
    const open = await openIncidents(ctx, intent);
    return {
      answer: `${say.allQuiet(where)} ${total !== undefined ? `${count(total, "workload")}, all fully ready; ` : ""}no unhealthy or restarting pods, no warning events.${open.text}`,
      citations: [{ kind: "resource", ref: namespace ? refs.namespace(cluster, namespace) : cluster, label: `workloads in ${where}` }, ...open.citations],
    };
  }

  const ranked = [...troubles.values()].sort((a, b) => severity(b) - severity(a) || b.bad.length - a.bad.length || b.restarted.length - a.restarted.length);
  const citations: Citation[] = [];
  const lines: string[] = [];
  for (const t of ranked.slice(0, 5)) {
    const kind = t.workload?.kind ?? "Deployment";
    citations.push({ kind: "resource", ref: refs.workload(cluster, t.namespace, kind, t.name), label: `${kind} ${t.namespace}/${t.name}` });
    const cond = t.workload?.conditions.find((c) => c.status === "False" && c.reason);
    const podsSeen = [...t.bad, ...t.restarted];
    const parts = [t.workload ? `${t.workload.ready} ready` : undefined, podsSeen.length ? podStatusSummary(podsSeen) : undefined, cond ? `${cond.type}=False (${cond.reason})` : undefined].filter(Boolean);
    lines.push(`- ${t.name} (${t.namespace}): ${parts.join("; ") || "warning events"}`);
    for (const p of podsSeen.slice(0, 2)) citations.push({ kind: "resource", ref: refs.pod(cluster, t.namespace, p.name), label: `pod ${p.name} ${p.status}` });
    const ev = t.warnings[0];
    if (ev) {
      lines.push(`  Kubernetes says: ${ev.reason} on ${ev.object}: ${clip(ev.message, 160)}${ev.count > 1 ? ` (×${ev.count})` : ""}`);
      citations.push({ kind: "event", ref: refs.event(cluster, ev.namespace, ev.object, ev.reason), label: `${ev.reason} ${ev.object}` });
    }
  }
  // For the worst one, the crashed run's last words usually say why.
  const worst = ranked[0];
  const crashed = worst ? [...worst.bad, ...worst.restarted].sort((a, b) => b.restarts - a.restarts).find((p) => CRASHY.test(p.status) || p.restarts > 0) : undefined;
  if (crashed) {
    const logs = await callRead(ctx.tools, "pod_logs", { cluster, namespace: crashed.namespace, pod: crashed.name, previous: true, tailLines: 30 }, PodLogsOut, ctx.signal);
    const words = logs.ok ? lastWords(logs.value.data.log) : undefined;
    if (words) {
      lines.push(`  Its last run ended with: "${clip(words)}"`);
      citations.push({ kind: "log", ref: `${refs.pod(cluster, crashed.namespace, crashed.name)}/logs?previous=true`, label: `previous log of ${crashed.name}` });
    }
  }
  const names = ranked.map((t) => t.name);
  const top = worst ? severity(worst) : 1;
  const head =
    top === 1
      ? `Nothing's down in ${where} right now, but ${listOf(names.slice(0, 5))} ${names.length === 1 ? "is" : "are"} worth a look:`
      : ranked.length === 1
        ? `${names[0]} is your problem in ${where}.`
        : `${count(ranked.length, "workload")} in trouble in ${where}, worst first: ${listOf(names.slice(0, 5))}${ranked.length > 5 ? " and more" : ""}.`;
  const open = await openIncidents(ctx, intent);
  return { answer: `${head}\n${lines.join("\n")}${open.text}`, citations: [...citations, ...open.citations] };
}

/** Scarlet's open incidents in the scope, as a line to add (nothing when Scarlet has none or is away). */
async function openIncidents(ctx: AnswerContext, s: Scope): Promise<{ text: string; citations: Citation[] }> {
  const r = await ctx.scarlet.listIncidents({}, ctx.signal);
  if (!r.ok) return { text: "", citations: [] };
  const open = r.value.filter(
    (i) => i.status !== "resolved" && i.cluster === s.cluster && (!s.namespace || i.namespace === s.namespace) && (!s.workload || (i.rootCause?.workload ?? i.workload) === s.workload),
  );
  if (open.length === 0) return { text: "", citations: [] };
  const first = open[0];
  return {
    text: `\nScarlet has ${count(open.length, "open incident")} here${first ? `, e.g. ${first.id} "${first.title}" (${first.status.replace("_", " ")})` : ""}.`,
    citations: open.slice(0, 3).map((i) => ({ kind: "incident" as const, ref: i.id, label: i.title })),
  };
}

/** The status of one workload (or a namespace's workloads): ready replicas, pods, restarts, revision. */
export async function workloadStatus(intent: Extract<Intent, { type: "workload-status" }>, ctx: AnswerContext): Promise<Answer> {
  const { cluster, namespace, workload } = intent;
  const where = whereOf(intent);
  const wl = await callRead(ctx.tools, "list_workloads", { cluster, ...(namespace ? { namespace } : {}) }, WorkloadsOut, ctx.signal);
  if (!wl.ok) return { answer: say.cannotRead(`the workloads of ${where}`, wl.error.message), citations: [] };
  if (!workload) {
    const all = wl.value.data.workloads;
    const bad = all.filter(notReady);
    return {
      answer: `${where}: ${count(all.length, "workload")}, ${bad.length ? `${bad.length} not fully ready (${bad.map((w) => `${w.name} ${w.ready}`).join(", ")})` : "all fully ready"}.`,
      citations: [{ kind: "resource", ref: namespace ? refs.namespace(cluster, namespace) : cluster, label: `workloads in ${where}` }],
    };
  }
  const w = wl.value.data.workloads.find((x) => x.name === workload && (!namespace || x.namespace === namespace));
  if (!w) return { answer: say.notFound(`a workload called ${workload} in ${cluster}`), citations: [] };
  const pods = await callRead(ctx.tools, "list_pods", { cluster, namespace: w.namespace }, PodsOut, ctx.signal);
  const mine = pods.ok ? pods.value.data.pods.filter((p) => workloadOfPod(p.name, estateWorkloads(ctx.estate, cluster)) === w.name) : [];
  const healthy = !notReady(w) && mine.every((p) => p.status === "Running");
  const restarts = mine.reduce((n, p) => n + p.restarts, 0);
  const podLines = mine.slice(0, 6).map((p) => `- ${p.name}: ${p.status}, ${p.ready} ready, ${count(p.restarts, "restart")}${p.lastTermination ? ` (last exit ${p.lastTermination})` : ""}${p.node ? ` on ${p.node}` : ""}`);
  const cond = w.conditions.find((c) => c.status === "False" && c.reason);
  const head = `${w.name} (${w.kind}, ${cluster}/${w.namespace}): ${w.ready} ready${w.revision ? `, revision ${w.revision}` : ""}, image ${w.images.join(", ") || "unknown"}. ${healthy ? (restarts ? `Healthy now, though it has ${count(restarts, "restart")} on the clock.` : "Looks healthy.") : "Not healthy."}${cond ? ` ${cond.type}=False: ${cond.reason}.` : ""}`;
  return {
    answer: [head, ...podLines].join("\n"),
    citations: [{ kind: "resource", ref: refs.workload(cluster, w.namespace, w.kind, w.name), label: `${w.kind} ${w.namespace}/${w.name}` }, ...mine.slice(0, 3).map((p) => ({ kind: "resource" as const, ref: refs.pod(cluster, p.namespace, p.name), label: `pod ${p.name}` }))],
  };
}

/** "Why did it restart?": the pod's last termination (reason, exit code), its events, and the crashed run's last lines. */
export async function whyRestarted(intent: Extract<Intent, { type: "why-restarted" }>, ctx: AnswerContext): Promise<Answer> {
  const { cluster, workload, pod } = intent;
  if (!workload && !pod) return { answer: "Which one? Give me a workload or a pod name, e.g. \"why did cart restart?\".", citations: [] };
  const namespace = intent.namespace ?? estateWorkloads(ctx.estate, cluster).find((w) => w.name === workload)?.namespace;
  if (!namespace) return { answer: say.notFound(`${workload ?? pod} in ${cluster}`), citations: [] };
  const pods = await callRead(ctx.tools, "list_pods", { cluster, namespace }, PodsOut, ctx.signal);
  if (!pods.ok) return { answer: say.cannotRead(`the pods of ${cluster}/${namespace}`, pods.error.message), citations: [] };
  const mine = pods.value.data.pods.filter((p) => (pod ? p.name === pod : workloadOfPod(p.name, estateWorkloads(ctx.estate, cluster)) === workload));
  if (mine.length === 0) return { answer: say.notFound(`any pods of ${pod ?? workload} in ${cluster}/${namespace}`), citations: [] };
  const restarted = [...mine].sort((a, b) => b.restarts - a.restarts);
  const target = restarted[0];
  if (!target || target.restarts === 0) {
    return {
      answer: `${pod ?? workload} hasn't restarted: ${listOf(mine.map((p) => `${p.name} ${p.status} with 0 restarts`))}.${mine.some((p) => p.status !== "Running") ? " It isn't all well, mind: ask \"what's wrong\" for more." : ""}`,
      citations: mine.slice(0, 3).map((p) => ({ kind: "resource" as const, ref: refs.pod(cluster, namespace, p.name), label: `pod ${p.name}` })),
    };
  }
  const [desc, logs] = await Promise.all([
    callRead(ctx.tools, "describe", { cluster, kind: "Pod", name: target.name, namespace }, DescribeOut, ctx.signal),
    callRead(ctx.tools, "pod_logs", { cluster, namespace, pod: target.name, previous: true, tailLines: 30 }, PodLogsOut, ctx.signal),
  ]);
  const citations: Citation[] = [{ kind: "resource", ref: refs.pod(cluster, namespace, target.name), label: `pod ${target.name}` }];
  const lines: string[] = [];
  const container = desc.ok ? desc.value.data.details.containers.find((c) => c.lastState) : undefined;
  const last = container?.lastState ?? (target.lastTermination ? `Terminated: ${target.lastTermination}` : undefined);
  const oom = /OOMKilled/.test(last ?? "") || /OOMKilled/.test(target.lastTermination ?? "");
  lines.push(
    `${target.name} has restarted ${target.restarts} ${target.restarts === 1 ? "time" : "times"}${mine.length > 1 ? ` (${mine.length} pods, ${mine.reduce((n, p) => n + p.restarts, 0)} restarts between them)` : ""}; it is ${target.status} now.`,
  );
  if (last) lines.push(`Last run: ${last.replace(/^Terminated: /, "terminated, ")}.${oom ? " That's the kernel's OOM killer: the container went over its memory limit." : ""}`);
  const words = logs.ok ? lastWords(logs.value.data.log) : undefined;
  if (words) {
    lines.push(`Its last words before dying: "${clip(words)}"`);
    citations.push({ kind: "log", ref: `${refs.pod(cluster, namespace, target.name)}/logs?previous=true`, label: `previous log of ${target.name}` });
  }
  const evs: EventRow[] = desc.ok ? desc.value.data.events.filter((e) => e.type === "Warning").slice(0, 2) : [];
  for (const e of evs) {
    lines.push(`Kubernetes: ${e.reason}: ${clip(e.message, 160)}${e.count > 1 ? ` (×${e.count})` : ""}`);
    citations.push({ kind: "event", ref: refs.event(cluster, namespace, e.object, e.reason), label: `${e.reason} ${e.object}` });
  }
  if (!last && !words) lines.push("I can't see why from here: no last state and no previous log. The events above are all I've got.");
  return { answer: lines.join("\n"), citations };
}
