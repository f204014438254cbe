import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in of Slack's Web API (test support, not shipped code): the methods Jamie's Bolt
 * app calls, over HTTP as the real WebClient sends them (form-encoded or JSON, bearer token),
 * answering in Slack's `{ok, error}` shape. It keeps the channels' messages so a test reads what
 * a person would see, and serves `response_url`s for slash commands.
 */
export interface StandInMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
  blocks: unknown[];
  /** Every version the message had, oldest first (chat.update appends). */
  history: { text: string; blocks: unknown[]; at: number }[];
}
export interface StandInEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks: unknown[];
  threadTs?: string;
}
export interface SlackStandIn {
  /** Base URL for `clientOptions.slackApiUrl` (ends with `/api/`). */
  apiUrl: string;
  url: string;
  botToken: string;
  botUserId: string;
  teamId: string;
  messages: StandInMessage[];
  ephemerals: StandInEphemeral[];
  views: { triggerId: string; view: Record<string, unknown> }[];
  /** Bodies posted to response URLs, by the URL's id. */
  responses: { id: string; body: Record<string, unknown>; at: number }[];
  /** Every Web API call: method, arguments, when. */
  calls: { method: string; args: Record<string, unknown>; at: number }[];
  /** A response URL the stand-in serves, for a slash command or an interaction payload. */
  responseUrl(id: string): string;
  /** A trigger id views.open will accept. */
  triggerId(): string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The WebClient sends form fields, with objects (blocks, view) as JSON strings; or a JSON body. */
function parseArgs(contentType: string | undefined, text: string): Record<string, unknown> {
  if ((contentType ?? "").includes("application/json")) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    out[k] = /^[[{]/.test(v) ? (() => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        return v;
      }
    })() : v;
  }
  return out;
}

const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));

export async function startSlackStandIn(init: { botToken?: string; botUserId?: string; teamId?: string } = {}): Promise<SlackStandIn> {
  const botToken = init.botToken ?? "xoxb-0000-stand-in";
  const botUserId = init.botUserId ?? "UJAMIEBOT";
  const teamId = init.teamId ?? "T0STANDIN";
  const clock = Math.floor(Date.now() / 1000);
  let seq = 0;
  const nextTs = () => `${clock}.${String(++seq).padStart(6, "0")}`;
  const triggers = new Set<string>();
  const s: Omit<SlackStandIn, "apiUrl" | "url" | "close" | "responseUrl"> & { responseUrl?: SlackStandIn["responseUrl"] } = {
    botToken,
    botUserId,
    teamId,
    messages: [],
    ephemerals: [],
    views: [],
    responses: [],
    calls: [],
    triggerId() {
      const id = `${++seq}.${clock}.stand-in-trigger`;
      triggers.add(id);
      return id;
    },
  };

  const methods: Record<string, (a: Record<string, unknown>) => Record<string, unknown>> = {
    "auth.test": () => ({ url: "https://stand-in.slack.test/", team: "Stand-in", user: "jamie", team_id: teamId, user_id: botUserId, bot_id: "BJAMIE" }),
    "chat.postMessage": (a) => {
      const channel = String(a.channel ?? "");
      if (!channel) return { ok: false, error: "channel_not_found" };
      if (!a.text && !a.blocks) return { ok: false, error: "no_text" };
      const ts = nextTs();
      const m: StandInMessage = { channel, ts, text: String(a.text ?? ""), blocks: (a.blocks as unknown[]) ?? [], history: [] };
      if (a.thread_ts) m.threadTs = String(a.thread_ts);
      m.history.push({ text: m.text, blocks: m.blocks, at: Date.now() });
      s.messages.push(m);
      return { channel, ts, message: { text: m.text, ts, user: botUserId, ...(m.threadTs ? { thread_ts: m.threadTs } : {}) } };
    },
    "chat.update": (a) => {
      const m = s.messages.find((x) => x.channel === a.channel && x.ts === a.ts);
      if (!m) return { ok: false, error: "message_not_found" };
      if (a.text !== undefined) m.text = String(a.text);
      if (a.blocks !== undefined) m.blocks = a.blocks as unknown[];
      m.history.push({ text: m.text, blocks: m.blocks, at: Date.now() });
      return { channel: m.channel, ts: m.ts, text: m.text };
    },
    "chat.postEphemeral": (a) => {
      if (!a.channel || !a.user) return { ok: false, error: "invalid_arguments" };
      s.ephemerals.push({ channel: String(a.channel), user: String(a.user), text: String(a.text ?? ""), blocks: (a.blocks as unknown[]) ?? [], ...(a.thread_ts ? { threadTs: String(a.thread_ts) } : {}) });
      return { message_ts: nextTs() };
    },
    "views.open": (a) => {
      const trigger = String(a.trigger_id ?? "");
      if (!triggers.delete(trigger)) return { ok: false, error: "invalid_trigger_id" };
      const view = a.view as Record<string, unknown>;
      s.views.push({ triggerId: trigger, view });
      return { view: { id: `V${seq}`, ...view } };
    },
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://slack");
      const text = await readBody(req);
      if (req.method === "POST" && url.pathname.startsWith("/response/")) {
        s.responses.push({ id: url.pathname.slice("/response/".length), body: JSON.parse(text || "{}") as Record<string, unknown>, at: Date.now() });
        return json(res, 200, { ok: true });
      }
      const method = url.pathname.replace(/^\/api\//, "");
      if (req.method !== "POST" || !url.pathname.startsWith("/api/")) return json(res, 404, { ok: false, error: "unknown_method" });
      let args: Record<string, unknown>;
      try {
        args = parseArgs(req.headers["content-type"], text);
      } catch {
        return json(res, 200, { ok: false, error: "invalid_json" });
      }
      const token = (req.headers.authorization ?? "").replace(/^Bearer /, "") || String(args.token ?? "");
      if (token !== botToken) return json(res, 200, { ok: false, error: "invalid_auth" });
      s.calls.push({ method, args, at: Date.now() });
      const handler = methods[method];
      if (!handler) return json(res, 200, { ok: false, error: "unknown_method" });
      const out = handler(args);
      json(res, 200, { ok: true, ...out });
    })().catch((e: unknown) => json(res, 500, { ok: false, error: String(e) }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(s, {
    url: base,
    apiUrl: `${base}/api/`,
    responseUrl: (id: string) => `${base}/response/${id}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  }) as SlackStandIn;
}
