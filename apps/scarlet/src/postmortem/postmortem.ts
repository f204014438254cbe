import type { AuditEvent, Incident, IncidentAction } from "@autodevops/shared";
import { actionLabel, dayOf, hms, md, paramsShort, personOf, stamp, timelineLines } from "./timeline.js";

export type PostmortemInput = {
  incident: Incident;
  /** The incident's audit events; their order is taken from `seq`. */
  events: AuditEvent[];
  /** Other incidents folded into this one as its symptoms. */
  symptoms?: Incident[];
  now: Date;
};
export type Postmortem = { title: string; path: string; markdown: string };

/** `4 minutes 12 seconds`: a duration as a person would say it, to the second. */
export function durationWords(ms: number): string {
  const unit = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  const pair = (big: number, bw: string, small: number, sw: string) => (small === 0 ? unit(big, bw) : `${unit(big, bw)} ${unit(small, sw)}`);
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return unit(s, "second");
  const m = Math.floor(s / 60);
  if (m < 60) return pair(m, "minute", s % 60, "second");
  const h = Math.floor(m / 60);
  if (h < 24) return pair(h, "hour", m % 60, "minute");
  return pair(Math.floor(h / 24), "day", h % 24, "hour");
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : undefined);
const ofType = (events: AuditEvent[], type: string) => events.filter((e) => e.type === type);

/**
 * The blameless postmortem an SRE would file for an incident: summary, impact window, root cause,
 * timeline, actions, symptoms and follow-ups, all derived from the incident and its audit log
 * (never invented). Untrusted text from the cluster is escaped.
 */
export function writePostmortem(input: PostmortemInput): Postmortem {
  const { incident: i, now } = input;
  const events = [...input.events].sort((a, b) => a.seq - b.seq);
  const day = dayOf(i.openedAt);
  const when = (iso: string) => (dayOf(iso) === day ? hms(iso) : `${dayOf(iso)} ${hms(iso)}`);
  const safeId = i.id.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+/, "").slice(0, 100) || "incident";
  const plainTitle = i.title.replace(/\s+/g, " ").trim().slice(0, 200);

  const escalated = ofType(events, "incident.escalated").at(-1);
  const escalationWhy = str(escalated?.data.why) ?? i.decision?.reasons.at(-1) ?? "see the timeline";
  const succeeded = i.actions.filter((a) => a.status === "succeeded");
  const undone = new Set(ofType(events, "action.undone").map((e) => str(e.data.actionId)));
  const verifiedBad = new Set(ofType(events, "verification.failed").map((e) => str(e.data.actionId)));
  const viaGitops = new Set(events.filter((e) => e.data.via === "gitops").map((e) => str(e.data.actionId)));
  // The fix's own `by` names its approver ("scarlet (approved by alice)", "argocd (… merged by alice)");
  // the approval log speaks only when no fix says it ran on Scarlet's say alone.
  const approverInBy = succeeded.map((a) => /(?:approved|merged) by ([^)]+)\)$/.exec(a.by)?.[1]).find((b) => b !== undefined);
  const approvedEvent = succeeded.some((a) => a.by === "scarlet")
    ? undefined
    : ofType(events, "approval.decided")
        .filter((e) => e.data.decision === "approve")
        .at(-1)?.actor;
  const approver = approverInBy ?? approvedEvent;

  const where = [`cluster ${md(i.cluster, 100)}`, i.namespace ? `namespace ${md(i.namespace, 100)}` : "", i.workload ? `workload ${md(i.workload, 100)}` : "", i.node ? `node ${md(i.node, 100)}` : ""]
    .filter((s) => s !== "")
    .join(", ");
  const resolvedReason = str(ofType(events, "incident.resolved").at(-1)?.data.reason);
  const ended = escalated
    ? `escalated to a person: ${md(escalationWhy)}${i.resolvedAt ? ` (closed at ${stamp(i.resolvedAt)})` : ""}`
    : i.resolvedAt === undefined
      ? `still open (${i.status.replace(/_/g, " ")})`
      : succeeded.length === 0
        ? `resolved without a change${i.decision?.route === "none" ? ": nothing was broken" : resolvedReason ? `: ${md(resolvedReason)}` : ""}`
        : approver !== undefined
          ? `resolved after approval by ${md(personOf(approver), 100)}`
          : "resolved automatically";

  const out: string[] = [];
  const section = (heading: string, ...body: string[]) => out.push("", `## ${heading}`, "", ...body);

  out.push(
    `# Postmortem: ${md(i.title)} (${md(i.id, 100)})`,
    "",
    `Blameless: this records what happened and what was done, not who is at fault. Written by Scarlet from incident ${md(i.id, 100)}'s audit log at ${stamp(now.toISOString())}.`,
  );
  section("Summary", `- **What broke:** ${md(i.title)}`, `- **Where:** ${where}`, `- **Severity:** ${i.severity}`, `- **Status:** ${i.status.replace(/_/g, " ")}`, `- **How it ended:** ${ended}`);

  const impact = [`- **Opened:** ${stamp(i.openedAt)}`];
  const endMs = i.resolvedAt !== undefined ? Date.parse(i.resolvedAt) : now.getTime();
  if (i.resolvedAt !== undefined) impact.push(`- **Resolved:** ${stamp(i.resolvedAt)}`, `- **Duration:** ${durationWords(endMs - Date.parse(i.openedAt))}`);
  else impact.push(`- **Resolved:** still open at ${stamp(now.toISOString())}`, `- **Duration so far:** ${durationWords(endMs - Date.parse(i.openedAt))}`);
  const firstFix = [...ofType(events, "action.succeeded").map((e) => e.at), ...succeeded.flatMap((a) => (a.executedAt ? [a.executedAt] : []))].sort(
    (a, b) => Date.parse(a) - Date.parse(b),
  )[0];
  if (firstFix !== undefined && i.resolvedAt !== undefined && Date.parse(firstFix) <= Date.parse(i.resolvedAt)) {
    impact.push(`- **Time to mitigate:** ${durationWords(Date.parse(i.resolvedAt) - Date.parse(firstFix))} (first successful action at ${when(firstFix)}, to resolution)`);
  }
  section("Impact", ...impact);

  const rc = i.rootCause;
  if (rc === null) section("Root cause", "Not determined.");
  else {
    const atFault = [rc.workload ? `workload ${md(rc.workload, 100)}` : "", rc.node ? `node ${md(rc.node, 100)}` : "", rc.namespace ? `namespace ${md(rc.namespace, 100)}` : "", `cluster ${md(rc.cluster, 100)}`]
      .filter((s) => s !== "")
      .join(", ");
    const evidence = rc.evidence.length > 0 ? rc.evidence.slice(0, 30).map((e) => `- ${md(e, 500)}`) : ["- none recorded"];
    section("Root cause", `- **Kind:** ${rc.kind}`, `- **At fault:** ${atFault}`, `- **Summary:** ${md(rc.summary, 1000)}`, "", "Evidence:", "", ...evidence);
  }

  const timeline = timelineLines(events, { day, actions: i.actions });
  section(`Timeline (UTC, ${day})`, ...(timeline.length > 0 ? timeline : ["- no audit events recorded"]));

  const row = (a: IncidentAction) =>
    `| ${md(a.kind, 40)} | ${md(a.namespace ? `${a.namespace}/${a.target}` : a.target, 200)} | ${paramsShort(a)} | ${md(a.by, 100)} | ${a.status} | ${a.executedAt ? when(a.executedAt) : `requested ${when(a.requestedAt)}`} |`;
  section(
    "Actions",
    ...(i.actions.length > 0 ? ["| Action | Target | Parameters | By | Status | When |", "| --- | --- | --- | --- | --- | --- |", ...i.actions.map(row)] : ["Nothing was changed."]),
  );

  const symptoms = (input.symptoms ?? []).filter((s) => s.id !== i.id);
  if (symptoms.length > 0) {
    section("Symptoms", "Incidents folded into this one as its symptoms:", "", ...symptoms.map((s) => `- ${md(s.title)} (${md(s.id, 100)}, opened ${when(s.openedAt)})`));
  }

  const follow = new Set<string>();
  if (escalated) follow.add(`Decide the fix Scarlet did not make: ${md(escalationWhy)}`);
  for (const a of i.actions) {
    if (a.status === "failed" || undone.has(a.id) || verifiedBad.has(a.id)) follow.add(`Find why ${actionLabel(a)} did not help.`);
  }
  for (const a of succeeded.filter((x) => !undone.has(x.id))) {
    if (a.kind === "rollback") follow.add(`Fix ${md(a.target, 100)}'s new version before rolling forward again.`);
    if ((a.kind === "scale" || a.kind === "set-resources") && !viaGitops.has(a.id)) {
      const what = a.kind === "scale" ? "replica count" : a.params.limits ? "limits" : "requests";
      follow.add(`Commit the new ${what} of ${md(a.target, 100)} to the manifests, or the next sync puts the old one back.`);
    }
  }
  if (rc && (rc.kind === "oom" || rc.kind === "memory-leak")) follow.add(`Look for the memory growth in ${md(rc.workload ?? i.workload ?? "the workload", 100)}.`);
  section("Follow-ups", ...(follow.size > 0 ? [...follow].map((f) => `- [ ] ${f}`) : ["None."]));

  return { title: `Postmortem: ${plainTitle} (${i.id})`, path: `postmortems/${day}-${safeId}.md`, markdown: `${out.join("\n")}\n` };
}
