import { App, HTTPReceiver, LogLevel, webApi, type Logger as BoltLogger } from "@slack/bolt";
import type { AuditStore, Logger } from "@autodevops/shared";
import type { Route } from "../server/router.js";
import type { SlackSettings } from "./config.js";

export type BoltApp = App;

/** Where Slack sends requests in HTTP mode (the app's Request URLs in the manifest). */
export const SLACK_ENDPOINTS = { events: "/api/slack/events", interactivity: "/api/slack/interactivity", commands: "/api/slack/commands" } as const;

/** Bolt's logger interface on top of ours, so Bolt's warnings (bad signatures among them) land in the same log. */
function boltLogger(log: Logger): BoltLogger {
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === "string" ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(" ");
  let level = LogLevel.INFO;
  return {
    debug: (...m: unknown[]) => log.debug({}, text(m)),
    info: (...m: unknown[]) => log.info({}, text(m)),
    warn: (...m: unknown[]) => log.warn({}, text(m)),
    error: (...m: unknown[]) => log.error({}, text(m)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

export interface SlackApp {
  app: BoltApp;
  /** Jamie's routes for the HTTP receiver's endpoints (none in Socket Mode). */
  routes: Route[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Who the bot is (auth.test), asked once at start. Slack being down or the token refused must not
 * stop Jamie's portal: it is logged, and Bolt then asks again with each event until Slack answers
 * (with Bolt's own eager check, a failure at start would be an unhandled rejection and cached).
 */
async function botIdentity(client: webApi.WebClient, log: Logger): Promise<{ botId: string; botUserId: string } | undefined> {
  try {
    const who = await client.auth.test();
    if (who.bot_id && who.user_id) {
      log.info({ team: who.team, botUser: who.user_id }, "Slack bot token verified");
      return { botId: who.bot_id, botUserId: who.user_id };
    }
    log.error({}, "Slack's auth.test named no bot: is SLACK_BOT_TOKEN a bot token?");
  } catch (err) {
    log.error({ err: (err as Error).message }, "Slack did not verify SLACK_BOT_TOKEN; Jamie runs, and Slack works once it does");
  }
  return undefined;
}

/**
 * The Bolt app: an HTTP receiver served on Jamie's own port by default (Bolt verifies each
 * request's signature and refuses timestamps more than 5 minutes off), or Socket Mode when an
 * app token is set. Tokens come only from the settings.
 */
export async function createSlackApp(s: SlackSettings, d: { audit: AuditStore; log: Logger }): Promise<SlackApp> {
  const logger = boltLogger(d.log.child({ component: "bolt" }));
  // A few quick retries: a stuck Slack call must not hold a listener for minutes (the default retries for ~30 min).
  const clientOptions = { ...(s.apiUrl ? { slackApiUrl: s.apiUrl } : {}), retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 } };
  const who = await botIdentity(new webApi.WebClient(s.botToken, { ...clientOptions, logger }), d.log);
  const auth = who ? { token: s.botToken, ...who } : { token: s.botToken, tokenVerificationEnabled: false };
  if (s.mode === "socket") {
    const app = new App({ ...auth, appToken: s.appToken, socketMode: true, logger, clientOptions, convoStore: false });
    return { app, routes: [], start: async () => void (await app.start()), stop: async () => void (await app.stop()) };
  }
  const receiver = new HTTPReceiver({ signingSecret: s.signingSecret ?? "", endpoints: Object.values(SLACK_ENDPOINTS), logger, processBeforeResponse: false });
  const app = new App({ ...auth, receiver, logger, clientOptions, convoStore: false });
  const routes: Route[] = Object.values(SLACK_ENDPOINTS).map((endpoint) => ({
    method: "POST",
    path: new RegExp(`^${endpoint.replace(/\//g, "\\/")}$`),
    // Slack is no portal user: the signature is the authentication, and Bolt checks it.
    role: null,
    handler: async ({ req, res }) => {
      res.once("finish", () => {
        if (res.statusCode !== 401 && res.statusCode !== 400 && res.statusCode !== 413) return;
        const why = res.statusCode === 401 ? "signature missing, wrong, or timestamp older than 5 minutes" : `unreadable request (${res.statusCode})`;
        d.log.warn({ path: endpoint, status: res.statusCode, timestamp: req.headers["x-slack-request-timestamp"] }, "Slack request refused");
        void d.audit.append({ actor: "slack", type: "input.rejected", data: { path: endpoint, status: res.statusCode, error: why } }).catch(() => undefined);
      });
      receiver.requestListener(req, res);
    },
  }));
  // The portal's server listens; the receiver only handles the requests routed to it.
  return { app, routes, start: async () => undefined, stop: async () => undefined };
}
