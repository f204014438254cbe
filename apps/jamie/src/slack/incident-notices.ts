import type { webApi } from "@slack/bolt";
import type { Logger } from "@autodevops/shared";
import type { ScarletClient } from "../scarlet/scarlet-client.js";
import { answerBlocks } from "./blocks/answer-blocks.js";
import { incidentBlocks, incidentText } from "./blocks/incident-blocks.js";
import { forSlack } from "./blocks/slack-text.js";
import { channelFor } from "./config.js";
import { serialPerKey } from "./serial.js";
import { postClaimed, type SlackStore } from "./slack-store.js";

export interface IncidentNoticeDeps {
  client: webApi.WebClient;
  scarlet: Pick<ScarletClient, "getIncident">;
  store: SlackStore;
  channels: ReadonlyMap<string, string>;
  portalUrl: string;
  log: Logger;
}

/**
 * One Slack message per incident, posted to the channel of its cluster/namespace when Scarlet
 * first reports it and updated in place as it moves (opened, acting, awaiting approval, resolved,
 * escalated). The message's ts is kept in Postgres, so a restarted Jamie updates, never reposts.
 */
export function incidentNotices(d: IncidentNoticeDeps) {
  const serial = serialPerKey();
  const log = d.log.child({ component: "slack-incidents" });

  async function show(incidentId: string): Promise<void> {
    const r = await d.scarlet.getIncident(incidentId);
    if (!r.ok) return log.warn({ incidentId, err: r.error.message }, "incident not readable; notice not updated");
    const i = r.value;
    const kept = await d.store.message("incident", i.id);
    const blocks = incidentBlocks(i, d.portalUrl);
    const text = incidentText(i);
    // An empty ts is a claim: another replica is posting it (claim() below takes it over only once it is stale).
    if (kept?.ts) {
      if (kept.state === `${i.status}@${i.updatedAt}`) return;
      const u = await d.client.chat.update({ channel: kept.channel, ts: kept.ts, text, blocks });
      if (!u.ok) return log.warn({ incidentId, error: u.error }, "incident notice not updated");
      await d.store.keep({ ...kept, state: `${i.status}@${i.updatedAt}` });
      return;
    }
    const channel = channelFor(d.channels, i.cluster, i.namespace);
    if (!channel) return log.debug({ incidentId, cluster: i.cluster, namespace: i.namespace }, "no Slack channel routed for this incident");
    const state = `${i.status}@${i.updatedAt}`;
    if (!(await d.store.claim("incident", i.id, channel, state))) return;
    const ts = await postClaimed(d.client, d.store, { kind: "incident", refId: i.id, channel, state }, { channel, text, blocks, unfurl_links: false });
    log.info({ incidentId, channel, ts }, "incident notice posted");
  }

  /** Scarlet's summary of a closed incident, as a reply in its notice's thread. */
  async function summarise(incidentId: string, summary: string): Promise<void> {
    const kept = await d.store.message("incident", incidentId);
    if (!kept?.ts) return log.debug({ incidentId }, "no notice to reply to with the summary");
    await d.client.chat.postMessage({ channel: kept.channel, thread_ts: kept.ts, text: forSlack(summary, 300), blocks: answerBlocks(summary, [{ kind: "incident", ref: incidentId, label: `${incidentId} (Scarlet's summary)` }]), unfurl_links: false });
  }

  return {
    /** Posts or updates the incident's notice; calls for one incident run one at a time. */
    update: (incidentId: string) => serial(incidentId, () => show(incidentId)),
    /** Replies in the notice's thread with the closed incident's summary. */
    closed: (incidentId: string, summary: string) => serial(incidentId, () => summarise(incidentId, summary)),
  };
}
