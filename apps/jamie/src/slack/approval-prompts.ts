import type { webApi } from "@slack/bolt";
import type { Approval, AuditStore, Logger } from "@autodevops/shared";
import { z } from "zod";
import type { ScarletClient } from "../scarlet/scarlet-client.js";
import { APPROVE_ACTION, approvalBlocks, approvalText, OPEN_PULL_REQUEST_ACTION, REASON_BLOCK, REASON_INPUT, REJECT_ACTION, REJECT_VIEW, rejectModal } from "./blocks/approval-blocks.js";
import { channelFor } from "./config.js";
import { serialPerKey } from "./serial.js";
import type { BoltApp } from "./slack-app.js";
import { mayApprove, type SlackPerson } from "./slack-people.js";
import { postClaimed, type SlackStore } from "./slack-store.js";

export interface ApprovalPromptDeps {
  client: webApi.WebClient;
  scarlet: Pick<ScarletClient, "listApprovals" | "decideApproval">;
  /** Jamie's approver token for Scarlet; a decision's reason names the person. */
  approverToken: string;
  store: SlackStore;
  people: (slackUser: string) => SlackPerson;
  channels: ReadonlyMap<string, string>;
  portalUrl: string;
  audit: AuditStore;
  log: Logger;
  now?: () => Date;
}

// Interaction payloads, only the fields used.
const ButtonClick = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string(),
  channel: z.object({ id: z.string() }).optional(),
  message: z.object({ ts: z.string() }).optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().min(1).max(200) })).min(1),
});
const Meta = z.object({ approvalId: z.string().min(1), channel: z.string().optional() });
const Submission = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({ private_metadata: z.string(), state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }))) }) }),
});

/** What a kept prompt shows: the approval's status, or `expired` once its time has passed. */
const shownState = (a: Approval, now: Date) => (a.status === "pending" && Date.parse(a.expiresAt) <= now.getTime() ? "expired" : a.status);

/**
 * Approval prompts: one message per approval with Approve / Reject (Reject asks for a reason in a
 * modal). Only mapped approvers count; anyone else gets an ephemeral refusal and the attempt is
 * audited. Scarlet is the source of truth: a decision made anywhere (here, the portal) is read
 * back from it and shown, a second decision is Scarlet's 409 and changes nothing, and an expired
 * request loses its buttons.
 */
export function approvalPrompts(d: ApprovalPromptDeps) {
  const now = d.now ?? (() => new Date());
  const serial = serialPerKey();
  const log = d.log.child({ component: "slack-approvals" });

  async function approval(id: string): Promise<Approval | undefined> {
    const r = await d.scarlet.listApprovals();
    if (!r.ok) {
      log.warn({ approvalId: id, err: r.error.message }, "Scarlet's approvals not readable");
      return undefined;
    }
    return r.value.find((a) => a.id === id);
  }

  async function render(a: Approval): Promise<void> {
    const state = shownState(a, now());
    const kept = await d.store.message("approval", a.id);
    const blocks = approvalBlocks(a, d.portalUrl, now());
    const text = approvalText({ ...a, status: state });
    // An empty ts is a claim: another replica is posting it (claim() below takes it over only once it is stale).
    if (kept?.ts) {
      if (kept.state === state) return;
      await d.client.chat.update({ channel: kept.channel, ts: kept.ts, text, blocks });
      await d.store.keep({ ...kept, state });
      log.info({ approvalId: a.id, state }, "approval prompt updated");
      return;
    }
    // A prompt is only worth posting while someone can still act on it.
    if (state !== "pending") return;
    const channel = channelFor(d.channels, a.action.cluster, a.action.namespace);
    if (!channel) return log.warn({ approvalId: a.id, cluster: a.action.cluster, namespace: a.action.namespace }, "no Slack channel routed for this approval");
    if (!(await d.store.claim("approval", a.id, channel, state))) return;
    const ts = await postClaimed(d.client, d.store, { kind: "approval", refId: a.id, channel, state }, { channel, text, blocks, unfurl_links: false });
    log.info({ approvalId: a.id, channel, ts }, "approval prompt posted");
  }

  const show = (a: Approval) => serial(a.id, () => render(a));
  const showById = (id: string) => serial(id, async () => {
    const a = await approval(id);
    if (a) await render(a);
  });

  async function refuse(p: SlackPerson, channel: string | undefined, approvalId: string, what: string): Promise<void> {
    log.warn({ slackUser: p.slackUser, approvalId, what }, "approval attempt by a non-approver refused");
    await d.audit.append({ actor: `slack:${p.slackUser}`, type: "input.rejected", data: { surface: "slack", approvalId, attempted: what, error: "not a configured approver", mappedTo: p.user?.name ?? null } });
    if (channel) await d.client.chat.postEphemeral({ channel, user: p.slackUser, text: `Sorry, only the configured approvers can ${what} this. Your attempt is recorded; ask one of them, or an admin to add you to SLACK_APPROVERS.` });
  }

  async function decide(p: SlackPerson, approvalId: string, decision: "approve" | "reject", reason: string | undefined, channel: string | undefined): Promise<void> {
    const said = `${decision === "approve" ? "approved" : "rejected"} by ${p.name} in Slack`;
    const r = await d.scarlet.decideApproval(approvalId, { decision, reason: reason ? `${reason} — ${said}` : said }, d.approverToken);
    if (r.ok) {
      log.info({ approvalId, decision, by: p.name }, "approval decided in Slack");
      return show(r.value);
    }
    const e = r.error;
    const why = e.code === "conflict" ? "It was already decided, or it expired: nothing changed." : e.code === "not_found" ? "Scarlet no longer knows this request." : `Scarlet didn't take it (${e.message}). Try again, or use the portal.`;
    if (channel) await d.client.chat.postEphemeral({ channel, user: p.slackUser, text: why });
    // The prompt may be stale (decided in the portal while the bus was down): show Scarlet's state.
    await showById(approvalId);
  }

  /** A button click by an approver, read; a non-approver is refused here, an unreadable click logged. */
  async function approverClick(body: unknown, what: "approve" | "reject") {
    const b = ButtonClick.safeParse(body);
    if (!b.success) return void log.warn({ issues: b.error.issues.slice(0, 3), what }, "unreadable approval click");
    const p = d.people(b.data.user.id);
    const click = { p, id: b.data.actions[0]?.value ?? "", channel: b.data.channel?.id, triggerId: b.data.trigger_id };
    if (mayApprove(p)) return click;
    await refuse(p, click.channel, click.id, what);
    return undefined;
  }

  function register(app: BoltApp): void {
    app.action(OPEN_PULL_REQUEST_ACTION, async ({ ack }) => ack());
    app.action(APPROVE_ACTION, async ({ ack, body }) => {
      await ack();
      const c = await approverClick(body, "approve");
      if (c) await decide(c.p, c.id, "approve", undefined, c.channel);
    });

    app.action(REJECT_ACTION, async ({ ack, body, client }) => {
      await ack();
      const c = await approverClick(body, "reject");
      if (!c) return;
      const a = await approval(c.id);
      if (!a || shownState(a, now()) !== "pending") return decide(c.p, c.id, "reject", undefined, c.channel);
      await client.views.open({ trigger_id: c.triggerId, view: rejectModal(a, JSON.stringify({ approvalId: c.id, channel: c.channel })) });
    });

    app.view(REJECT_VIEW, async ({ ack, body }) => {
      const s = Submission.safeParse(body);
      const meta = s.success ? Meta.safeParse((() => { try { return JSON.parse(s.data.view.private_metadata) as unknown; } catch { return undefined; } })()) : undefined;
      if (!s.success || !meta?.success) {
        await ack();
        return log.warn({}, "unreadable reject submission");
      }
      const reason = (s.data.view.state.values[REASON_BLOCK]?.[REASON_INPUT]?.value ?? "").trim();
      if (reason.length < 3) return ack({ response_action: "errors", errors: { [REASON_BLOCK]: "Say why, in a few words: Scarlet records it with the rejection." } });
      await ack();
      const p = d.people(s.data.user.id);
      if (!mayApprove(p)) return refuse(p, meta.data.channel, meta.data.approvalId, "reject");
      await decide(p, meta.data.approvalId, "reject", reason.slice(0, 500), meta.data.channel);
    });
  }

  return {
    register,
    /** Shows one approval (posted if new and pending, else its prompt updated). */
    show,
    showById,
    /** Every approval of an incident, re-read (a withdrawal or an expiry shows through its incident's update). */
    async refreshIncident(incidentId: string): Promise<void> {
      const r = await d.scarlet.listApprovals();
      if (!r.ok) return log.warn({ incidentId, err: r.error.message }, "Scarlet's approvals not readable");
      await Promise.all(r.value.filter((a) => a.incidentId === incidentId).map(show));
    },
    /** Posts what is pending without a prompt yet (requested while Jamie was down) and retires expired prompts. */
    async sweep(): Promise<void> {
      const open = await d.store.inState("approval", "pending");
      const r = await d.scarlet.listApprovals();
      if (!r.ok) return log.warn({ err: r.error.message }, "Scarlet's approvals not readable");
      const kept = new Set(open.map((m) => m.refId));
      await Promise.all(r.value.filter((a) => kept.has(a.id) || a.status === "pending").map(show));
    },
  };
}
