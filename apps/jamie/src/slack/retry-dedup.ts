import type { Middleware, AnyMiddlewareArgs } from "@slack/bolt";
import type { Logger } from "@autodevops/shared";
import type { SlackStore } from "./slack-store.js";

/**
 * Slack redelivers an event it thinks was missed (`X-Slack-Retry-Num`), with the same event id.
 * Each id is claimed once in Postgres, so neither a retry nor another replica answers twice.
 */
export function retryDedup(store: Pick<SlackStore, "claimEvent">, log: Logger): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, next }) => {
    const eventId = (body as { event_id?: unknown }).event_id;
    if (typeof eventId === "string" && !(await store.claimEvent(eventId))) {
      log.info({ eventId, retryNum: context.retryNum, retryReason: context.retryReason }, "Slack retry of an event already handled; skipped");
      return;
    }
    await next();
  };
}
