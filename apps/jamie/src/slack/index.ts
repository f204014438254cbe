import type { AuditStore, Config, EventBus, Logger, Unsubscribe } from "@autodevops/shared";
import type pg from "pg";
import type { User } from "../auth/users.js";
import type { ConversationStore } from "../portal/conversations.js";
import type { ScarletClient } from "../scarlet/scarlet-client.js";
import type { Route } from "../server/router.js";
import type { ChatAssistant, ChatMemory } from "../server/routes/chat-routes.js";
import { approvalPrompts } from "./approval-prompts.js";
import { slackSettings } from "./config.js";
import { registerConversations } from "./conversations.js";
import { incidentNotices } from "./incident-notices.js";
import { retryDedup } from "./retry-dedup.js";
import { createSlackApp } from "./slack-app.js";
import { slackPeople } from "./slack-people.js";
import { SlackStore } from "./slack-store.js";

export { slackSettings, channelFor, type SlackSettings } from "./config.js";
export { SLACK_ENDPOINTS } from "./slack-app.js";

/** How often pending prompts are checked against Scarlet (expiry, anything the bus missed). */
const SWEEP_MS = 15_000;

export interface SlackDeps {
  config: Pick<Config, "slack" | "urls">;
  /** Where SLACK_CHANNELS, SLACK_APPROVERS and SLACK_API_URL are read from. */
  env: Record<string, string | undefined>;
  scarlet: ScarletClient;
  approverToken: string;
  assistant: ChatAssistant;
  conversations: ConversationStore;
  memory?: ChatMemory;
  users: { get(name: string): User | undefined };
  bus: EventBus;
  audit: AuditStore;
  pool: pg.Pool;
  log: Logger;
  now?: () => Date;
  sweepMs?: number;
}

export interface RunningSlack {
  mode: "http" | "socket";
  /** The HTTP receiver's endpoints, for Jamie's server (empty in Socket Mode). */
  routes: Route[];
  close(): Promise<void>;
}

/**
 * Jamie on Slack: conversations, incident notices and approval prompts, on the same assistant,
 * memory and Scarlet client as the portal. Undefined (and said in the log) without a bot token.
 */
export async function startSlack(d: SlackDeps): Promise<RunningSlack | undefined> {
  const log = d.log.child({ component: "slack" });
  const settings = slackSettings(d.config, d.env);
  if (!settings.ok) throw new Error(`Slack settings: ${settings.error}`);
  const s = settings.value;
  if (!s) {
    log.info({}, "Slack is off: SLACK_BOT_TOKEN is not set");
    return undefined;
  }
  const store = new SlackStore(d.pool);
  const people = slackPeople(s.approvers, d.users);
  const slack = await createSlackApp(s, { audit: d.audit, log });
  slack.app.use(retryDedup(store, log));
  registerConversations(slack.app, { assistant: d.assistant, conversations: d.conversations, store, people, audit: d.audit, ...(d.memory ? { memory: d.memory } : {}), log });
  const notices = incidentNotices({ client: slack.app.client, scarlet: d.scarlet, store, channels: s.channels, portalUrl: s.portalUrl, log });
  const prompts = approvalPrompts({ client: slack.app.client, scarlet: d.scarlet, approverToken: d.approverToken, store, people, channels: s.channels, portalUrl: s.portalUrl, audit: d.audit, log, ...(d.now ? { now: d.now } : {}) });
  prompts.register(slack.app);
  slack.app.error(async (err) => log.error({ err, code: err.code }, "Slack listener failed"));

  const subs: Unsubscribe[] = [
    await d.bus.subscribe("approval.requested", (e) => prompts.showById(e.payload.approvalId)),
    await d.bus.subscribe("approval.decided", (e) => prompts.showById(e.payload.approvalId)),
    await d.bus.subscribe("incident.closed", (e) => notices.closed(e.payload.incidentId, e.payload.summary)),
    await d.bus.subscribe("incident.updated", async (e) => {
      await notices.update(e.payload.incidentId);
      await prompts.refreshIncident(e.payload.incidentId);
    }),
  ];
  await slack.start();
  const sweep = () => prompts.sweep().catch((err: unknown) => log.warn({ err }, "approval sweep failed"));
  void sweep();
  const timer = setInterval(() => void sweep(), d.sweepMs ?? SWEEP_MS);
  timer.unref();
  log.info({ mode: s.mode, channels: Object.fromEntries(s.channels), approvers: s.approvers.size }, "Slack is on");
  return {
    mode: s.mode,
    routes: slack.routes,
    async close() {
      clearInterval(timer);
      for (const u of subs) await u().catch(() => undefined);
      await slack.stop().catch((err: unknown) => log.warn({ err }, "Slack stop failed"));
    },
  };
}
