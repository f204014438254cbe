import { Blocks, BlockCollection, Md, type SlackBlockDto } from "slack-block-builder";
import type { Incident } from "@autodevops/shared";
import { forSlack } from "./slack-text.js";

const STATUS_ICON: Record<Incident["status"], string> = {
  open: ":large_orange_circle:",
  awaiting_approval: ":raised_hand:",
  acting: ":hammer_and_wrench:",
  verifying: ":mag:",
  resolved: ":white_check_mark:",
  escalated: ":rotating_light:",
  failed: ":x:",
};

/** Where something is, as `cluster/namespace/workload`. */
export const placeOf = (i: Pick<Incident, "cluster" | "namespace" | "workload" | "node">) => [i.cluster, i.namespace, i.workload ?? i.node].filter(Boolean).join("/");

/** The fallback text of a notice (notifications, screen readers). */
export const incidentText = (i: Incident) => `${i.status.replace("_", " ")}: ${i.title} (${placeOf(i)})`;

/** One incident as a Slack notice; the same message is updated as the incident moves. */
export function incidentBlocks(i: Incident, portalUrl: string): Readonly<SlackBlockDto>[] {
  const action = i.actions.at(-1);
  return BlockCollection(
    Blocks.Section({ text: `${STATUS_ICON[i.status]} ${Md.bold(forSlack(i.title, 200))}` }),
    Blocks.Section().fields(
      `${Md.bold("Status")}\n${i.status.replace("_", " ")}`,
      `${Md.bold("Severity")}\n${i.severity}`,
      `${Md.bold("Where")}\n${Md.codeInline(placeOf(i))}`,
      `${Md.bold("Opened")}\n<!date^${Math.floor(Date.parse(i.openedAt) / 1000)}^{date_short_pretty} {time}|${i.openedAt}>`,
    ),
    ...(i.rootCause ? [Blocks.Section({ text: `${Md.bold("Root cause")} (${i.rootCause.kind}): ${forSlack(i.rootCause.summary, 600)}` })] : []),
    ...(i.decision ? [Blocks.Section({ text: `${Md.bold("Decision")}: ${i.decision.route}${i.decision.action ? ` — ${i.decision.action.kind} on ${Md.codeInline(i.decision.action.target)}` : ""}, risk ${i.decision.risk}, confidence ${Math.round(i.decision.confidence * 100)} %` })] : []),
    ...(action ? [Blocks.Section({ text: `${Md.bold("Last action")}: ${action.kind} on ${Md.codeInline(action.target)} — ${action.status}${action.by ? ` (by ${forSlack(action.by, 80)})` : ""}` })] : []),
    Blocks.Context().elements(`${Md.link(`${portalUrl}/incidents/${encodeURIComponent(i.id)}`, "Open in the portal")} · ${i.id} · updated <!date^${Math.floor(Date.parse(i.updatedAt) / 1000)}^{time_secs}|${i.updatedAt}>`),
  );
}
