/** alertmanager.yml: every alert to one webhook (Scarlet's `POST /alerts`), as a plain object (see render-yaml.ts). */

export interface AlertmanagerConfigInput {
  /** The receiver's URL, e.g. `${SCARLET_URL}/alerts`. */
  webhookUrl: string;
  /** A file holding the bearer token the receiver checks. */
  tokenFile: string;
  /** Alertmanager durations ("3s"). */
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
}

export const RECEIVER_NAME = "scarlet";

/** Alerts grouped per alert name, cluster and namespace; resolutions are sent too, since Scarlet closes incidents on them. */
export function alertmanagerConfig(input: AlertmanagerConfigInput): Record<string, unknown> {
  return {
    route: {
      receiver: RECEIVER_NAME,
      group_by: ["alertname", "cluster", "namespace"],
      group_wait: input.groupWait,
      group_interval: input.groupInterval,
      repeat_interval: input.repeatInterval,
    },
    receivers: [
      {
        name: RECEIVER_NAME,
        webhook_configs: [
          {
            url: input.webhookUrl,
            send_resolved: true,
            http_config: { authorization: { type: "Bearer", credentials_file: input.tokenFile } },
          },
        ],
      },
    ],
  };
}

/**
 * Alertmanager's stock timings (group_wait 30s, group_interval 5m, repeat_interval 4h) divided
 * by the sandbox's TIME_FACTOR of 10, as deploy/prometheus/rules.yaml divides its `for:`s.
 */
export const COMPRESSED_TIMING = { groupWait: "3s", groupInterval: "30s", repeatInterval: "24m" } as const;
