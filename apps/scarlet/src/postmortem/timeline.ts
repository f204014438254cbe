import type { AuditEvent, IncidentAction } from "@autodevops/shared";
import { z } from "zod";

/**
 * Markdown-safe inline text. Titles, reasons and evidence come from cluster data: no raw HTML, no
 * emphasis, links or table cells they did not ask for, no line breaks, and a bounded length.
 */
export function md(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed here
  let s = text.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
  if (s.length > max) s = `${s.slice(0, max - 1)}…`;
  s = s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/[\\`*_[\]|~#]/g, "\\$&");
  // A mention in cluster text would notify a GitHub user or team once filed: a zero-width space breaks it.
  s = s.replace(/@(?=[\w-])/g, "@\u200b");
  // Text that starts a list item or line must not open a list, heading underline or numbered item.
  return s.replace(/^([-+=])/, "\\$1").replace(/^(\d+)([.)])/, "$1\\$2");
}

export const hms = (iso: string) => new Date(iso).toISOString().slice(11, 19);
export const dayOf = (iso: string) => new Date(iso).toISOString().slice(0, 10);
export const stamp = (iso: string) => `${dayOf(iso)} ${hms(iso)} UTC`;

/** An action as audit rows carry it, read leniently: rows written by another release may differ. */
export const LooseAction = z.object({
  kind: z.string(),
  target: z.string(),
  namespace: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type LooseAction = z.infer<typeof LooseAction>;

const actionIn = (data: Record<string, unknown>): LooseAction | undefined => {
  const a = LooseAction.safeParse(data.action);
  return a.success ? a.data : undefined;
};
const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** Who a person is, from an audit actor (`user:alice` reads as alice). */
export const personOf = (actor: string) => actor.replace(/^user:/, "");

/** `rollback on checkout`: how the timeline and follow-ups name an action. */
export const actionLabel = (a: LooseAction) => `${md(a.kind, 40)} on ${md(a.target, 100)}`;

/** What an action does, in words: `scale frontend to 4`. */
export function actionPhrase(a: LooseAction): string {
  const p = a.params ?? {};
  const t = md(a.target, 100);
  switch (a.kind) {
    case "scale":
      return `scale ${t} to ${num(p.replicas) ?? "?"}`;
    case "rollback":
      return num(p.toRevision) !== undefined ? `roll back ${t} to revision ${num(p.toRevision)}` : `roll back ${t}`;
    case "rollout-restart":
      return `restart ${t}`;
    case "delete-pod":
      return `delete pod ${md(text(p.pod) ?? "?", 100)} of ${t}`;
    case "set-resources":
      return `set resources of ${t} (${paramsShort(a)})`;
    case "cordon-node":
      return `cordon node ${t}`;
    case "drain-node":
      return `drain node ${t}`;
    default:
      return `${md(a.kind, 40)} ${t}`;
  }
}

/** An action's parameters in a few words, for the actions table. */
export function paramsShort(a: LooseAction): string {
  const p = a.params ?? {};
  const quantities = (v: unknown) =>
    v !== null && typeof v === "object"
      ? Object.entries(v)
          .filter(([, q]) => typeof q === "string")
          .map(([k, q]) => `${md(k, 20)} ${md(String(q), 20)}`)
          .join(", ")
      : "";
  switch (a.kind) {
    case "scale":
      return num(p.from) !== undefined ? `replicas ${num(p.from)} → ${num(p.replicas) ?? "?"}` : `replicas ${num(p.replicas) ?? "?"}`;
    case "set-resources": {
      const parts = [
        text(p.container) ? `container ${md(text(p.container) ?? "", 60)}` : "",
        quantities(p.limits) ? `limits ${quantities(p.limits)}` : "",
        quantities(p.requests) ? `requests ${quantities(p.requests)}` : "",
      ].filter((s) => s !== "");
      return parts.join("; ") || "—";
    }
    case "delete-pod":
      return `pod ${md(text(p.pod) ?? "?", 100)}`;
    case "rollback":
      return num(p.toRevision) !== undefined ? `revision ${num(p.toRevision)}` : "previous revision";
    case "rollout-restart":
      return text(p.workloadKind) && p.workloadKind !== "Deployment" ? md(String(p.workloadKind), 20) : "—";
    case "drain-node":
      return num(p.gracePeriodSeconds) !== undefined ? `grace ${num(p.gracePeriodSeconds)} s` : "—";
    default:
      return Object.keys(p).length > 0 ? md(JSON.stringify(p), 80) : "—";
  }
}

const confidence = (c: number | undefined) => (c === undefined ? "?" : String(Math.round(c * 100) / 100));
const lastReason = (v: unknown) => (Array.isArray(v) ? text(v.filter((r) => typeof r === "string").at(-1)) : undefined);

/** Events a reader of a postmortem does not need: plumbing, and this document's own filing. */
const NOISE = new Set(["tool.called", "incident.updated", "input.rejected", "chat.answered", "system.started", "system.stopped", "postmortem.filed"]);

/** One plain-words line for an event, or undefined for one the timeline leaves out. */
function describe(e: AuditEvent, labelOf: (actionId: string | undefined) => string | undefined): string | undefined {
  const d = e.data;
  const a = actionIn(d);
  const label = a ? actionLabel(a) : (labelOf(text(d.actionId)) ?? "an action");
  const why = (s: string | undefined) => (s ? `: ${md(s)}` : "");
  const viaPr = text(d.pullRequest) && d.via === "gitops" ? ` (via pull request ${md(text(d.pullRequest) ?? "", 200)})` : "";
  switch (e.type) {
    case "incident.opened":
      return "incident opened";
    case "incident.resolved":
      return `incident resolved${why(text(d.reason))}`;
    case "incident.escalated":
      return `escalated${why(text(d.why) ?? "no reason recorded")}`;
    case "decision.made": {
      const route = md(text(d.route) ?? "?", 20);
      return `decided: ${route} — ${a ? actionPhrase(a) : "no action"} (risk ${md(text(d.risk) ?? "?", 20)}, confidence ${confidence(num(d.confidence))})`;
    }
    case "policy.refused":
      return `policy refused ${a ? actionPhrase(a) : "the action"}${why(text(d.reason) ?? lastReason(d.reasons))}`;
    case "approval.requested":
      return "approval requested";
    case "approval.decided": {
      const verb = d.decision === "approve" ? "approved" : d.decision === "reject" ? "rejected" : "decided";
      const pr = text(d.pullRequest) ? ` (pull request ${md(text(d.pullRequest) ?? "", 200)})` : "";
      return `${verb} by ${md(personOf(e.actor), 100)}${pr}${why(text(d.reason))}`;
    }
    case "approval.expired":
      return "approval expired unanswered";
    case "action.proposed":
    case "action.approved":
    case "action.rejected":
    case "action.executing":
    case "action.succeeded":
      return `${label} ${e.type.slice("action.".length)}${viaPr}`;
    case "action.failed":
      return `${label} failed${why(text(d.error) ?? text(d.reason))}`;
    case "action.skipped":
      return `${label} skipped${why(text(d.reason))}`;
    case "action.undone":
      return `${label} undone`;
    case "verification.passed":
      return "verification passed";
    case "verification.failed":
      return `verification failed${why(text(d.detail))}${d.worse === true ? " (worse than before)" : ""}`;
    case "pull_request.opened":
      return `pull request opened: ${md(text(d.pullRequest) ?? "?", 200)}`;
    case "pull_request.failed":
      return `pull request could not be opened${why(typeof d.error === "string" ? d.error : undefined)}`;
    case "pull_request.closed":
      return d.merged === true ? "pull request merged" : "pull request closed without merging";
    default:
      return NOISE.has(e.type) ? undefined : md(e.type, 60);
  }
}

/**
 * The timeline's lines, in log order: one per meaningful event at UTC `HH:MM:SS` (with the date
 * when it is not `day`), a run of `finding.recorded` as one line with its count, plumbing left out.
 */
export function timelineLines(events: AuditEvent[], o: { day: string; actions: IncidentAction[] }): string[] {
  const when = (iso: string) => (dayOf(iso) === o.day ? hms(iso) : `${dayOf(iso)} ${hms(iso)}`);
  const labels = new Map<string, string>(o.actions.map((a) => [a.id, actionLabel(a)]));
  const lines: string[] = [];
  let findings: { first: string; last: string; count: number } | undefined;
  const flush = () => {
    if (!findings) return;
    const n = findings.count;
    lines.push(`- ${when(findings.first)} — ${n === 1 ? "1 finding recorded" : `${n} findings recorded (until ${when(findings.last)})`}`);
    findings = undefined;
  };
  for (const e of [...events].sort((x, y) => x.seq - y.seq)) {
    const a = actionIn(e.data);
    const actionId = text(e.data.actionId);
    if (a && actionId) labels.set(actionId, actionLabel(a));
    if (e.type === "finding.recorded") {
      findings = findings ? { ...findings, last: e.at, count: findings.count + 1 } : { first: e.at, last: e.at, count: 1 };
      continue;
    }
    const line = describe(e, (id) => (id === undefined ? undefined : labels.get(id)));
    if (line === undefined) continue;
    flush();
    lines.push(`- ${when(e.at)} — ${line}`);
  }
  flush();
  return lines;
}
