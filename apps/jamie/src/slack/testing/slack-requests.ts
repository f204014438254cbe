import { createHmac, randomUUID } from "node:crypto";

/**
 * Requests as Slack sends them to an app (test support): Events API callbacks (JSON),
 * interactivity payloads and slash commands (form-encoded), signed with the signing secret the
 * way Slack signs them (`v0:{timestamp}:{body}`, HMAC-SHA256), or deliberately not.
 */
export interface SlackSender {
  /** POSTs a body to the app; `timestamp` (seconds) and `secret` override the honest ones. */
  send(path: string, body: string, contentType: string, o?: SendOptions): Promise<Response>;
  event(event: Record<string, unknown>, o?: SendOptions & { eventId?: string }): Promise<{ res: Response; eventId: string }>;
  interaction(payload: Record<string, unknown>, o?: SendOptions): Promise<Response>;
  command(fields: Record<string, string>, o?: SendOptions): Promise<Response>;
}
export interface SendOptions {
  timestamp?: number;
  secret?: string;
  retryNum?: number;
}

export function signature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export function slackSender(o: { baseUrl: string; signingSecret: string; teamId: string; paths?: { events: string; interactivity: string; commands: string } }): SlackSender {
  const paths = o.paths ?? { events: "/api/slack/events", interactivity: "/api/slack/interactivity", commands: "/api/slack/commands" };
  const send: SlackSender["send"] = (path, body, contentType, so = {}) => {
    const ts = so.timestamp ?? Math.floor(Date.now() / 1000);
    return fetch(`${o.baseUrl}${path}`, {
      method: "POST",
      headers: {
        "content-type": contentType,
        "x-slack-request-timestamp": String(ts),
        "x-slack-signature": signature(so.secret ?? o.signingSecret, ts, body),
        ...(so.retryNum !== undefined ? { "x-slack-retry-num": String(so.retryNum), "x-slack-retry-reason": "http_timeout" } : {}),
      },
      body,
    });
  };
  return {
    send,
    async event(event, so = {}) {
      const eventId = so.eventId ?? `Ev${randomUUID().replace(/-/g, "").slice(0, 12).toUpperCase()}`;
      const body = JSON.stringify({ token: "deprecated", team_id: o.teamId, api_app_id: "AJAMIE", type: "event_callback", event_id: eventId, event_time: Math.floor(Date.now() / 1000), event: { event_ts: event.ts, ...event } });
      return { res: await send(paths.events, body, "application/json", so), eventId };
    },
    interaction(payload, so) {
      return send(paths.interactivity, new URLSearchParams({ payload: JSON.stringify({ team: { id: o.teamId, domain: "stand-in" }, api_app_id: "AJAMIE", token: "deprecated", ...payload }) }).toString(), "application/x-www-form-urlencoded", so);
    },
    command(fields, so) {
      return send(paths.commands, new URLSearchParams({ token: "deprecated", team_id: o.teamId, api_app_id: "AJAMIE", ...fields }).toString(), "application/x-www-form-urlencoded", so);
    },
  };
}
