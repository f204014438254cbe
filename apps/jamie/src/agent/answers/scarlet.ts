import { Action, type Incident } from "@autodevops/shared";
import type { Answer, Citation } from "../chat-events.js";
import type { Intent } from "../intents.js";
import { count, listOf, say } from "../persona.js";
import { estateWorkloads, type AnswerContext } from "./context.js";

const clip = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** An action as a person says it: "scale shop/checkout to 5". */
export function describeAction(a: Action): string {
  const t = a.namespace ? `${a.namespace}/${a.target}` : a.target;
  switch (a.kind) {
    case "scale":
      return `scale ${t} to ${a.params.replicas}`;
    case "rollback":
      return `roll back ${t}${a.params.toRevision ? ` to revision ${a.params.toRevision}` : ""}`;
    case "rollout-restart":
      return `restart ${t}`;
    case "delete-pod":
      return `delete pod ${a.namespace}/${a.params.pod}`;
    case "set-resources": {
      const parts = [...Object.entries(a.params.limits ?? {}).map(([k, v]) => `${k} limit ${v}`), ...Object.entries(a.params.requests ?? {}).map(([k, v]) => `${k} request ${v}`)];
      return `set ${listOf(parts)} on ${t}`;
    }
    case "cordon-node":
      return `cordon ${a.target}`;
    case "drain-node":
      return `drain ${a.target}`;
  }
}

function incidentLine(i: Incident): string {
  const did = i.actions.map((a) => `${describeAction(a)} (${a.status})`);
  const cause = i.rootCause ? ` Cause: ${clip(i.rootCause.summary, 120)}.` : "";
  const decision = i.decision && i.decision.route !== "none" ? ` Route: ${i.decision.route}.` : "";
  return `- ${i.id} ${i.severity} "${i.title}" in ${i.cluster}/${i.namespace}, ${i.status.replace("_", " ")}.${cause}${did.length ? ` Scarlet: ${did.join(", ")}.` : " Scarlet hasn't acted."}${decision}`;
}

/** Recent incidents and what Scarlet did about them (one incident in full when the message names its id). */
export async function incidents(intent: Extract<Intent, { type: "incidents" }>, ctx: AnswerContext): Promise<Answer> {
  if (intent.id) {
    const r = await ctx.scarlet.getIncident(intent.id, ctx.signal);
    if (!r.ok) return { answer: r.error.code === "not_found" ? `Scarlet has no incident ${intent.id}.` : say.cannotRead(`incident ${intent.id}`, r.error.message), citations: [] };
    const i = r.value;
    const evidence = i.rootCause?.evidence.slice(0, 3).map((e) => `  evidence: ${clip(e)}`) ?? [];
    const reasons = i.decision?.reasons.slice(0, 3).map((x) => `  why: ${clip(x)}`) ?? [];
    return { answer: [incidentLine(i), ...evidence, ...reasons].join("\n"), citations: [{ kind: "incident", ref: i.id, label: i.title }] };
  }
  const since = new Date(ctx.now.getTime() - 24 * 3_600_000);
  const r = await ctx.scarlet.listIncidents(intent.openOnly ? {} : { since }, ctx.signal);
  if (!r.ok) return { answer: say.cannotRead("Scarlet's incidents", r.error.message), citations: [] };
  const list = r.value
    .filter((i) => (!intent.openOnly || i.status !== "resolved") && i.cluster === intent.cluster && (!intent.namespace || i.namespace === intent.namespace) && (!intent.workload || (i.rootCause?.workload ?? i.workload) === intent.workload))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  const span = intent.openOnly ? "open" : "in the last 24 hours";
  if (list.length === 0) return { answer: `No incidents ${span} in ${[intent.cluster, intent.namespace, intent.workload].filter(Boolean).join("/")}. Scarlet's had a quiet one.`, citations: [] };
  const citations: Citation[] = list.slice(0, 5).map((i) => ({ kind: "incident", ref: i.id, label: i.title }));
  return { answer: `${count(list.length, "incident")} ${span}, newest first:\n${list.slice(0, 5).map(incidentLine).join("\n")}${list.length > 5 ? `\n… and ${list.length - 5} more in the Incidents page.` : ""}`, citations };
}

/** Pending approvals, and whether this user may decide them. */
export async function approvals(ctx: AnswerContext): Promise<Answer> {
  const r = await ctx.scarlet.listApprovals({ status: "pending" }, ctx.signal);
  if (!r.ok) return { answer: say.cannotRead("the pending approvals", r.error.message), citations: [] };
  if (r.value.length === 0) return { answer: "Nothing waiting for approval. Enjoy it while it lasts.", citations: [] };
  const lines = r.value.slice(0, 8).map((a) => `- ${a.id}: ${describeAction(a.action)} in ${a.action.cluster} (${a.risk} risk, incident ${a.incidentId}, expires ${a.expiresAt})${a.reasons[0] ? `: ${clip(a.reasons[0], 120)}` : ""}`);
  const who = ctx.user.role === "viewer" ? "You can't decide these yourself; an approver can, in Approvals or on Slack." : "Approve or reject them in Approvals or on Slack.";
  return { answer: `${count(r.value.length, "approval")} waiting:\n${lines.join("\n")}\n${who}`, citations: r.value.slice(0, 8).map((a) => ({ kind: "incident" as const, ref: a.incidentId, label: `approval ${a.id}` })) };
}

const MISSING_HINT: Record<string, string> = {
  workload: "which workload",
  replicas: "how many replicas",
  pod: "which pod",
  node: "which node",
  memory: "how much memory (e.g. 512Mi)",
  cpu: "how much CPU (e.g. 500m)",
};

/**
 * A change asked for in chat becomes a proposal to Scarlet, whose policy decides whether it waits
 * for approval or is refused. Jamie never calls a write tool: it has none.
 */
export async function changeRequest(intent: Extract<Intent, { type: "change-request" }>, ctx: AnswerContext): Promise<Answer> {
  if (intent.missing.length) {
    return { answer: `Happy to pass that to Scarlet, but I need ${listOf(intent.missing.map((m) => MISSING_HINT[m] ?? m))}. Something like "scale checkout to 5".`, citations: [] };
  }
  const isNode = intent.kind === "cordon-node" || intent.kind === "drain-node";
  const namespace = isNode ? "" : (intent.namespace ?? estateWorkloads(ctx.estate, intent.cluster).find((w) => w.name === intent.target)?.namespace ?? "");
  const parsed = Action.safeParse({ kind: intent.kind, cluster: intent.cluster, namespace, target: intent.target, params: intent.params });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { answer: `I can't turn that into a change Scarlet understands (${issue ? `${issue.path.join(".") || "action"}: ${issue.message}` : "invalid"}). Nothing was proposed.`, citations: [] };
  }
  const action = parsed.data;
  const what = describeAction(action);
  const r = await ctx.scarlet.propose({ action, reason: `asked in chat by ${ctx.user.id}: "${clip(ctx.message, 300)}"`, requestedBy: ctx.user.id }, ctx.signal);
  const resource: Citation = isNode ? { kind: "resource", ref: `${action.cluster}/node/${action.target}`, label: `node ${action.target}` } : { kind: "resource", ref: `${action.cluster}/${action.namespace}/deployment/${action.target}`, label: action.target };
  if (!r.ok) {
    if (r.error.code === "rejected" || r.error.code === "forbidden" || r.error.code === "conflict") return { answer: `Scarlet turned down the proposal to ${what}: ${r.error.message}. Nothing changed.`, citations: [resource] };
    return { answer: `I couldn't reach Scarlet to propose "${what}" (${r.error.message}), so nothing was proposed and nothing changed. Try again shortly.`, citations: [resource] };
  }
  const p = r.value;
  const citations: Citation[] = [resource, { kind: "incident", ref: p.incidentId, label: `proposal: ${what}` }];
  const reasons = p.reasons.length ? ` Policy says: ${p.reasons.map((x) => clip(x, 140)).join("; ")}.` : "";
  switch (p.route) {
    case "approval":
      if (p.pullRequest) return { answer: `I don't make changes myself, but I've proposed it: ${what}, in ${action.cluster}. ${action.target} is managed by GitOps, so Scarlet opened a pull request against its manifests: ${p.pullRequest} — merging it is the approval, and ArgoCD applies it.${reasons}`, citations };
      return { answer: `I don't make changes myself, but I've proposed it: ${what}, in ${action.cluster}. It now waits for an approver in Approvals or on Slack${p.approvalId ? ` (approval ${p.approvalId})` : ""}.${reasons}`, citations };
    case "auto":
      return { answer: `Proposed: ${what}, in ${action.cluster}. Scarlet's policy lets it run without waiting for approval, so Scarlet will carry it out and verify it (incident ${p.incidentId}).${reasons}`, citations };
    default:
      return { answer: `I proposed ${what}, but Scarlet's policy refused it (${p.route}), so nothing will change.${reasons || " No reasons given."}`, citations };
  }
}
