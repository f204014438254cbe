import { err, ok, type Config, type Result } from "@autodevops/shared";
import { z } from "zod";

/** A Slack channel id (C…, G… or D…): what chat.postMessage takes. */
const ChannelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, "expected a Slack channel id such as C0123ABCD");
/** `cluster/namespace`, `cluster` or `*`. */
const RouteKey = z.string().regex(/^(\*|[a-z0-9][\w.-]*(\/[a-z0-9][\w.-]*)?)$/, "expected cluster/namespace, cluster or *");
const SlackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, "expected a Slack user id such as U0123ABCD");
const PortalUser = z.string().min(1).max(100);

/** `key=value,key=value` pairs, each side checked by its schema. */
function pairs(key: z.ZodString, value: z.ZodString) {
  return z
    .string()
    .transform((s) => s.split(",").map((p) => p.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[^=]+=[^=]+$/, "expected key=value").transform((p) => p.split("=").map((x) => x.trim()) as [string, string])))
    .pipe(z.array(z.tuple([key, value])));
}

/** The Slack variables beyond the tokens, which the shared config already reads (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN). */
export const SlackEnv = z.object({
  /** Where incident notices and approval prompts go, most specific first: `prod/shop=C01,prod=C02,*=C03`. */
  SLACK_CHANNELS: pairs(RouteKey, ChannelId).optional(),
  /** Slack users whose clicks count, as the portal user they act as: `U01=approver,U02=admin`. */
  SLACK_APPROVERS: pairs(SlackUserId, PortalUser).optional(),
  /** Web API base; only a Slack stand-in or an egress proxy sets it. */
  SLACK_API_URL: z.url().optional(),
});

/** Everything the Slack side needs, parsed once at start. */
export interface SlackSettings {
  mode: "http" | "socket";
  botToken: string;
  signingSecret: string | undefined;
  appToken: string | undefined;
  /** route key (`cluster/namespace`, `cluster`, `*`) → channel id. */
  channels: ReadonlyMap<string, string>;
  /** Slack user id → portal user name. */
  approvers: ReadonlyMap<string, string>;
  apiUrl: string | undefined;
  /** The portal's base URL, for links in messages. */
  portalUrl: string;
}

/** Slack's settings from the config and the environment; undefined when Slack is off (no bot token). */
export function slackSettings(config: Pick<Config, "slack" | "urls">, env: Record<string, string | undefined>): Result<SlackSettings | undefined, string> {
  if (config.slack.mode === "off") return ok(undefined);
  const blank = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v.trim());
  const parsed = SlackEnv.safeParse({ SLACK_CHANNELS: blank(env.SLACK_CHANNELS), SLACK_APPROVERS: blank(env.SLACK_APPROVERS), SLACK_API_URL: blank(env.SLACK_API_URL) });
  if (!parsed.success) return err(parsed.error.issues.map((i) => `${String(i.path[0] ?? "?")}: ${i.message}`).join("; "));
  const e = parsed.data;
  if (config.slack.mode === "http" && !config.slack.signingSecret) return err("SLACK_SIGNING_SECRET: required for the HTTP receiver");
  return ok({
    mode: config.slack.mode,
    botToken: config.slack.botToken,
    signingSecret: config.slack.signingSecret,
    appToken: config.slack.mode === "socket" ? config.slack.appToken : undefined,
    channels: new Map(e.SLACK_CHANNELS ?? []),
    approvers: new Map(e.SLACK_APPROVERS ?? []),
    apiUrl: e.SLACK_API_URL?.replace(/\/*$/, "/"),
    portalUrl: config.urls.jamie.replace(/\/+$/, ""),
  });
}

/** The channel for something in `cluster/namespace`: the most specific route, else none. */
export function channelFor(channels: ReadonlyMap<string, string>, cluster: string, namespace: string | undefined): string | undefined {
  return (namespace ? channels.get(`${cluster}/${namespace}`) : undefined) ?? channels.get(cluster) ?? channels.get("*");
}
