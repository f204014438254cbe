import { createTwoFilesPatch } from "diff";
import type { Action } from "@autodevops/shared";
import type { ProposeInput } from "./gitops-path.js";
import { describeDesired, type DesiredState } from "./manifest-change.js";

/** Text from the cluster, alerts or a person, made inert in Markdown: no HTML, no mentions, one line. */
export const inert = (s: string, max = 600): string =>
  s
    .replace(/[\r\n]+/g, " ")
    .replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"))
    .replace(/@(?=\w)/g, "@\u200b")
    .replace(/`/g, "'")
    .slice(0, max);

export function pullRequestTitle(action: Action, desired: DesiredState, incidentId: string): string {
  return `[autodevops] ${action.kind} ${action.namespace}/${action.target}: ${describeDesired(desired)} (${incidentId})`.slice(0, 240);
}

export type PullRequestContext = ProposeInput & { path: string; before: string; after: string; desired: DesiredState };

/** The pull request's description: the reason, the evidence, the policy's view, the diff, and what merging means. */
export function pullRequestBody(c: PullRequestContext): string {
  const diff = createTwoFilesPatch(`a/${c.path}`, `b/${c.path}`, c.before, c.after, undefined, undefined, { context: 3 }).split("\n").slice(2).join("\n");
  const lines = [
    `Scarlet asks for **${c.action.kind}** on \`${c.action.cluster}/${c.action.namespace}/${c.action.target}\`: ${inert(describeDesired(c.desired))}.`,
    "",
    "## Why",
    c.requestedBy ? `Requested by ${inert(c.requestedBy)}.` : "",
    c.diagnosis ? `**${inert(c.diagnosis.kind)}**: ${inert(c.diagnosis.summary)}` : "",
    "",
    "### Evidence",
    ...(c.diagnosis?.evidence.length ? c.diagnosis.evidence.slice(0, 8).map((e) => `- ${inert(e)}`) : ["- (none recorded)"]),
    "",
    "### Policy",
    `Risk **${c.risk}**, confidence ${c.confidence.toFixed(2)}. ${c.approval.reasons.slice(-3).map((r) => inert(r)).join(" ")}`,
    "",
    "## The change",
    "```diff",
    diff.replace(/```/g, "'''").trimEnd(),
    "```",
    "",
    "## What happens next",
    "- **Merging this pull request is the approval.** Once the cluster runs the merged manifest (ArgoCD syncs it), Scarlet verifies the workload and reports here.",
    "- **Closing it without merging rejects the change**: Scarlet changes nothing and hands the incident to people.",
    `- Unmerged by ${c.approval.expiresAt}, Scarlet withdraws it and closes it.`,
    "",
    `<sub>Incident \`${c.approval.incidentId}\` · approval \`${c.approval.id}\` · opened by Scarlet (auto-devops)</sub>`,
  ];
  return lines.filter((l, i, all) => !(l === "" && all[i - 1] === "")).join("\n");
}
