import type { Answer, Citation } from "../chat-events.js";
import { refs } from "../chat-events.js";
import type { Intent } from "../intents.js";
import { count, say } from "../persona.js";
import { callRead, findTool } from "../read-tools.js";
import { AlertsOut, CommitsOut, estateWorkloads, EventsOut, HistoryOut, LokiOut, PodLogsOut, PodsOut, whereOf, workloadOfPod, WorkloadsOut, type AnswerContext } from "./context.js";

const clip = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n)}…` : s);
const ERROR_LINE = /\b(?:error|ERROR|Error|panic|PANIC|fatal|FATAL|Fatal|exception|Exception|timeout|refused)\b/;

/** Current alerts from Prometheus, narrowed to the scope; Scarlet's open incidents when Prometheus is not connected. */
export async function alerts(intent: Extract<Intent, { type: "alerts" }>, ctx: AnswerContext): Promise<Answer> {
  const where = whereOf(intent);
  if (!findTool(ctx.tools, "prometheus_alerts")) {
    const open = await ctx.scarlet.listIncidents({ status: "open" }, ctx.signal);
    const text = open.ok ? (open.value.length ? ` Scarlet has ${count(open.value.length, "open incident")}: ${open.value.slice(0, 3).map((i) => `${i.id} "${i.title}"`).join("; ")}.` : " Scarlet has no open incidents, for what it's worth.") : "";
    return {
      answer: `Prometheus isn't connected (PROMETHEUS_URL is not set), so I can't see alerts.${text}`,
      citations: open.ok ? open.value.slice(0, 3).map((i) => ({ kind: "incident" as const, ref: i.id, label: i.title })) : [],
    };
  }
  const r = await callRead(ctx.tools, "prometheus_alerts", { cluster: intent.cluster, state: "any", limit: 50 }, AlertsOut, ctx.signal);
  if (!r.ok) return { answer: say.cannotRead(`Prometheus's alerts for ${intent.cluster}`, r.error.message), citations: [] };
  const inScope = r.value.data.alerts.filter((a) => (!intent.namespace || a.labels.includes(`namespace="${intent.namespace}"`)) && (!intent.workload || a.labels.includes(`"${intent.workload}`)));
  const citation: Citation = { kind: "metric", ref: `ALERTS{cluster="${intent.cluster}"}`, label: `Prometheus alerts in ${intent.cluster}` };
  if (inScope.length === 0) return { answer: `No alerts firing or pending in ${where}. Nice and quiet.`, citations: [citation] };
  const firing = inScope.filter((a) => a.state === "firing");
  const lines = inScope.slice(0, 8).map((a) => `- ${a.state} ${a.alertname}${a.labels} since ${a.activeAt}${a.summary ? `: ${clip(a.summary, 160)}` : ""}`);
  return {
    answer: `${count(firing.length, "alert")} firing and ${inScope.length - firing.length} pending in ${where}:\n${lines.join("\n")}${inScope.length > 8 ? `\n… and ${inScope.length - 8} more.` : ""}`,
    citations: [citation, ...inScope.slice(0, 5).map((a) => ({ kind: "metric" as const, ref: `ALERTS{alertname="${a.alertname}"}`, label: a.alertname }))],
  };
}

/** Recent error lines: from Loki when it is connected, else from the pods' own logs. */
export async function recentErrors(intent: Extract<Intent, { type: "recent-errors" }>, ctx: AnswerContext): Promise<Answer> {
  const { cluster, namespace, workload } = intent;
  const where = whereOf(intent);
  if (!namespace && !workload) return { answer: `Whose logs? Name a workload or namespace, e.g. "recent errors in cart". ${cluster} as a whole is rather a lot to read.`, citations: [] };
  if (findTool(ctx.tools, "loki_query_range")) {
    const selector = `{namespace="${namespace ?? "shop"}"${workload ? `, pod=~"${workload}-.*"` : ""}}`;
    const query = `${selector} |~ "error|Error|ERROR|panic|fatal|FATAL|exception|Exception|timeout"`;
    const r = await callRead(ctx.tools, "loki_query_range", { cluster, query, since: "30m", limit: 200, linesPerStream: 5 }, LokiOut, ctx.signal);
    if (r.ok) {
      const citation: Citation = { kind: "log", ref: query, label: `Loki, last 30 minutes, ${cluster}` };
      const d = r.value.data;
      if (d.lines === 0) return { answer: `No error lines from ${where} in the last 30 minutes. Either it's behaving or it's gone very quiet.`, citations: [citation] };
      const top = d.topErrors.slice(0, 4).map((e) => `- ×${e.count} "${clip(e.example, 180)}" (last at ${e.lastAt})`);
      const newest = d.newest.flatMap((s) => s.newest.slice(0, 1).map((l) => `"${clip(l.line, 180)}"`)).slice(0, 3);
      return {
        answer: `${count(d.lines, "error line")} from ${where} in the last 30 minutes${d.lines >= 200 ? " (at least; I stopped reading at 200)" : ""}. The most frequent:\n${top.join("\n") || newest.map((n) => `- ${n}`).join("\n")}${top.length && newest.length ? `\nNewest: ${newest[0]}` : ""}`,
        citations: [citation],
      };
    }
    ctx.log.warn({ err: r.error.message }, "Loki query failed; reading the pods' logs instead");
  }
  // Without Loki: the containers' own logs, current run, filtered here.
  const pods = await callRead(ctx.tools, "list_pods", { cluster, ...(namespace ? { namespace } : {}) }, PodsOut, ctx.signal);
  if (!pods.ok) return { answer: say.cannotRead(`the pods of ${where}`, pods.error.message), citations: [] };
  const mine = pods.value.data.pods.filter((p) => !workload || workloadOfPod(p.name, estateWorkloads(ctx.estate, cluster)) === workload).slice(0, 3);
  const citations: Citation[] = [];
  const found: string[] = [];
  for (const p of mine) {
    const l = await callRead(ctx.tools, "pod_logs", { cluster, namespace: p.namespace, pod: p.name, tailLines: 200 }, PodLogsOut, ctx.signal);
    if (!l.ok) continue;
    const errs = l.value.data.log.split("\n").filter((x) => ERROR_LINE.test(x));
    if (errs.length) {
      found.push(`- ${p.name}: ${count(errs.length, "error line")}, newest "${clip(errs.at(-1) ?? "", 180)}"`);
      citations.push({ kind: "log", ref: `${refs.pod(cluster, p.namespace, p.name)}/logs`, label: `log of ${p.name}` });
    }
  }
  if (found.length === 0) return { answer: `No error lines in the last 200 log lines of ${where}'s pods (Loki isn't connected, so that's as far back as I can see).`, citations: mine.map((p) => ({ kind: "log" as const, ref: `${refs.pod(cluster, p.namespace, p.name)}/logs`, label: `log of ${p.name}` })) };
  return { answer: `Errors in ${where}'s logs (from the pods directly; Loki isn't connected):\n${found.join("\n")}`, citations };
}

/** What changed: a Deployment's rollout history, the namespace's scaling events, and GitHub commits when configured. */
export async function whatChanged(intent: Extract<Intent, { type: "what-changed" }>, ctx: AnswerContext): Promise<Answer> {
  const { cluster, workload } = intent;
  const where = whereOf(intent);
  const lines: string[] = [];
  const citations: Citation[] = [];
  const namespace = intent.namespace ?? "shop";
  const target = workload ? estateWorkloads(ctx.estate, cluster).find((w) => w.name === workload) : undefined;
  if (target?.kind === "Deployment") {
    const h = await callRead(ctx.tools, "rollout_history", { cluster, namespace: target.namespace, deployment: target.name }, HistoryOut, ctx.signal);
    if (h.ok) {
      const revs = [...h.value.data.revisions].sort((a, b) => b.revision - a.revision);
      lines.push(`${target.name} is on revision ${h.value.data.currentRevision}; its rollout history, newest first:`);
      for (const r of revs.slice(0, 5)) lines.push(`- rev ${r.revision}${r.current ? " (current)" : ""}, ${r.age} ago: ${r.changeCause ?? "no change-cause"} [${r.images.join(", ")}]`);
      citations.push({ kind: "resource", ref: refs.workload(cluster, target.namespace, "Deployment", target.name), label: `rollout history of ${target.name}` });
    } else lines.push(say.cannotRead(`the rollout history of ${target.name}`, h.error.message));
  } else if (workload && !target) {
    return { answer: say.notFound(`a workload called ${workload} in ${cluster}`), citations: [] };
  } else if (!workload) {
    // A whole namespace: each Deployment's current revision says which have been rolled out since they were created.
    const wl = await callRead(ctx.tools, "list_workloads", { cluster, namespace, kind: "Deployment" }, WorkloadsOut, ctx.signal);
    const rolled = wl.ok ? wl.value.data.workloads.filter((w) => Number(w.revision ?? "1") > 1) : [];
    if (rolled.length) {
      lines.push(`Deployments in ${cluster}/${namespace} rolled out since they were created: ${rolled.map((w) => `${w.name} (revision ${w.revision})`).join(", ")}. Ask about one for its history.`);
      citations.push({ kind: "resource", ref: refs.namespace(cluster, namespace), label: `Deployments in ${cluster}/${namespace}` });
    }
  }
  // Scaling and rollout events show changes made outside a new revision (kubectl scale, say).
  const ev = await callRead(ctx.tools, "list_events", { cluster, namespace: target?.namespace ?? namespace, ...(target ? { name: target.name } : { kind: "Deployment" }), limit: 50 }, EventsOut, ctx.signal);
  if (ev.ok) {
    const changes = ev.value.data.events.filter((e) => /ScalingReplicaSet|SuccessfulRescale|Killing|SuccessfulDelete|Scaled|Evict|Cordon|Drain/i.test(e.reason)).slice(0, 5);
    if (changes.length) {
      lines.push(`Recent changes Kubernetes recorded in ${target?.namespace ?? namespace}:`);
      for (const e of changes) {
        lines.push(`- ${e.age} ago ${e.reason} ${e.object}: ${clip(e.message, 140)}`);
        citations.push({ kind: "event", ref: refs.event(cluster, e.namespace, e.object, e.reason), label: `${e.reason} ${e.object}` });
      }
    }
  }
  if (ctx.githubRepo && findTool(ctx.tools, "recent_commits")) {
    const c = await callRead(ctx.tools, "recent_commits", { repo: ctx.githubRepo, limit: 5 }, CommitsOut, ctx.signal);
    if (c.ok && c.value.data.commits.length) {
      lines.push(`Latest commits in ${ctx.githubRepo}:`);
      for (const m of c.value.data.commits) {
        lines.push(`- ${m.sha.slice(0, 7)} ${m.date} ${m.author}: ${clip(m.message, 120)}`);
        citations.push({ kind: "resource", ref: m.url, label: `commit ${m.sha.slice(0, 7)}` });
      }
    }
  } else if (!workload) {
    lines.push("GitHub isn't connected, so no commits from me.");
  }
  if (lines.length === 0) return { answer: `Nothing I can see changed in ${where} lately. Name a Deployment for its rollout history.`, citations };
  return { answer: lines.join("\n"), citations };
}
