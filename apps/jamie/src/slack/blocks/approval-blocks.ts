import { Bits, Blocks, BlockCollection, Elements, Md, Modal, type SlackBlockDto, type SlackViewDto } from "slack-block-builder";
import type { Approval } from "@autodevops/shared";
import { chunks, forSlack } from "./slack-text.js";

/** Action ids of the prompt's buttons and the reject modal's callback id. */
export const APPROVE_ACTION = "jamie_approval_approve";
export const REJECT_ACTION = "jamie_approval_reject";
/** A link button (a GitOps change's pull request): Slack still sends its click, which only needs an ack. */
export const OPEN_PULL_REQUEST_ACTION = "jamie_approval_open_pull_request";
export const REJECT_VIEW = "jamie_approval_reject_reason";
export const REASON_BLOCK = "reason";
export const REASON_INPUT = "reason_input";

/** The fallback text of a prompt (notifications, screen readers). */
export const approvalText = (a: Approval) => `Approval ${a.status}: ${a.action.kind} on ${a.action.cluster}/${a.action.namespace}/${a.action.target} (risk ${a.risk})`;

const when = (iso: string, format = "{date_short_pretty} {time}") => `<!date^${Math.floor(Date.parse(iso) / 1000)}^${format}|${iso}>`;

/** What the prompt says once it is no longer pending; the buttons are gone then (Slack has no disabled button). */
function outcome(a: Approval, expired: boolean): string {
  if (a.status === "approved") return `:white_check_mark: ${Md.bold("Approved")}${a.decidedAt ? ` ${when(a.decidedAt)}` : ""}${a.reason ? ` — ${forSlack(a.reason, 300)}` : ""}`;
  if (a.status === "rejected") return `:no_entry: ${Md.bold("Rejected")}${a.decidedAt ? ` ${when(a.decidedAt)}` : ""}${a.reason ? ` — ${forSlack(a.reason, 300)}` : ""}`;
  if (a.status === "expired" || expired) return `:hourglass: ${Md.bold("Expired")} ${when(a.expiresAt)} — nobody decided in time; Scarlet escalated instead.`;
  return "";
}

/**
 * An approval as a Slack prompt: the action, target, risk, reasons (the diagnosis and its
 * evidence come first in them), the dry run's diff, and Approve / Reject while it is pending.
 */
export function approvalBlocks(a: Approval, portalUrl: string, now: Date): Readonly<SlackBlockDto>[] {
  const expired = a.status === "pending" && Date.parse(a.expiresAt) <= now.getTime();
  const pending = a.status === "pending" && !expired;
  const reasons = a.reasons.slice(0, 10).map((r) => `• ${forSlack(r, 400)}`).join("\n");
  return BlockCollection(
    Blocks.Header({ text: `${pending ? "Approval needed" : "Approval"}: ${a.action.kind} ${a.action.target}`.slice(0, 150) }),
    Blocks.Section().fields(
      `${Md.bold("Action")}\n${a.action.kind}`,
      `${Md.bold("Target")}\n${Md.codeInline(`${a.action.cluster}/${a.action.namespace}/${a.action.target}`)}`,
      `${Md.bold("Risk")}\n${a.risk}`,
      `${Md.bold(pending ? "Expires" : "Asked")}\n${when(pending ? a.expiresAt : a.requestedAt)}`,
    ),
    ...(reasons ? [Blocks.Section({ text: `${Md.bold("Why")}\n${reasons}` })] : []),
    ...(a.preview ? chunks(forSlack(a.preview, 2_700), 2_800).slice(0, 1).map((d) => Blocks.Section({ text: `${Md.bold("Dry run")}\n${Md.codeBlock(d)}` })) : []),
    pending && a.pullRequest
      ? // A GitOps change: the merge is the approval, so the prompt leads to the pull request; Reject stays (it closes it).
        Blocks.Actions({ blockId: `approval:${a.id}` }).elements(
          Elements.Button({ text: `Review ${a.pullRequest.repo}#${a.pullRequest.number}`, url: a.pullRequest.url, actionId: OPEN_PULL_REQUEST_ACTION }).primary(),
          Elements.Button({ text: "Reject", actionId: REJECT_ACTION, value: a.id }).danger(),
        )
      : pending
      ? Blocks.Actions({ blockId: `approval:${a.id}` }).elements(
          Elements.Button({ text: "Approve", actionId: APPROVE_ACTION, value: a.id })
            .primary()
            .confirm(Bits.ConfirmationDialog({ title: "Approve?", text: `Scarlet will run ${a.action.kind} on ${a.action.target} now.`, confirm: "Approve", deny: "Not yet" })),
          Elements.Button({ text: "Reject", actionId: REJECT_ACTION, value: a.id }).danger(),
        )
      : Blocks.Section({ text: outcome(a, expired) }),
    Blocks.Context().elements(`${Md.link(`${portalUrl}/approvals`, "Approvals in the portal")} · ${Md.link(`${portalUrl}/incidents/${encodeURIComponent(a.incidentId)}`, a.incidentId)} · ${a.id}`),
  );
}

/** The modal that asks for a reason before a rejection counts. */
export function rejectModal(a: Pick<Approval, "id" | "action">, meta: string): Readonly<SlackViewDto> {
  return Modal({ title: "Reject the action", submit: "Reject", close: "Cancel", callbackId: REJECT_VIEW, privateMetaData: meta })
    .blocks(
      Blocks.Section({ text: `Reject ${Md.bold(a.action.kind)} on ${Md.codeInline(`${a.action.cluster}/${a.action.namespace}/${a.action.target}`)}? Scarlet then changes nothing and escalates.` }),
      Blocks.Input({ label: "Why?", blockId: REASON_BLOCK }).element(Elements.TextInput({ actionId: REASON_INPUT, minLength: 3, maxLength: 500 }).multiline()),
    )
    .buildToObject();
}
