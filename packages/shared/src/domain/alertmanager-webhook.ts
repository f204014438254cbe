import { z } from "zod";

/**
 * The body Alertmanager POSTs to a webhook receiver (payload version 4), as Scarlet's
 * `POST /alerts` takes it (CONTRACTS.md section 5). Unknown fields are kept out of the parsed
 * value but do not fail it: Alertmanager adds fields over time (`truncatedAlerts` in 0.23).
 */

const LabelSet = z.record(z.string(), z.string());

/** "firing" or "resolved", for a notification and for each alert in it. */
export const AlertStatus = z.enum(["firing", "resolved"]);
export type AlertStatus = z.infer<typeof AlertStatus>;

/** Alertmanager writes RFC 3339 with nanoseconds and an offset; an alert still firing ends at "0001-01-01T00:00:00Z". */
const AlertTime = z.iso.datetime({ offset: true, error: "expected an RFC 3339 time" });

/** One alert of a notification. */
export const WebhookAlert = z.object({
  status: AlertStatus,
  labels: LabelSet,
  annotations: LabelSet,
  startsAt: AlertTime,
  endsAt: AlertTime,
  generatorURL: z.string(),
  fingerprint: z.string().min(1),
});
export type WebhookAlert = z.infer<typeof WebhookAlert>;

/** One notification: a group of alerts that share the route's `group_by` labels. */
export const AlertmanagerWebhook = z.object({
  version: z.literal("4", { error: 'expected version "4" (Alertmanager webhook payload)' }),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: AlertStatus,
  receiver: z.string().min(1),
  groupLabels: LabelSet,
  commonLabels: LabelSet,
  commonAnnotations: LabelSet,
  externalURL: z.string(),
  alerts: z.array(WebhookAlert).min(1, "expected at least one alert"),
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhook>;
