/** prometheus.yml for the sandbox clusters, as a plain object (see render-yaml.ts). */

export interface PrometheusScrapeCluster {
  /** The `cluster` label (prod, staging): the alerting rules keep it in every aggregation. */
  cluster: string;
  metricsUrl: string;
  caFile: string;
  tokenFile: string;
}

export interface PrometheusConfigInput {
  clusters: PrometheusScrapeCluster[];
  /** Absolute paths of rule files. */
  ruleFiles: string[];
  /** Where alerts go; none: Prometheus evaluates rules but notifies no one. */
  alertmanagerUrl?: string;
  /** Prometheus durations ("5s"). deploy/prometheus/rules.yaml assumes a scrape interval of 15s or less. */
  scrapeInterval: string;
  evaluationInterval: string;
}

/** The configuration: one scrape job per cluster over HTTPS with its CA and bearer token, the rules, the Alertmanager. */
export function prometheusConfig(input: PrometheusConfigInput): Record<string, unknown> {
  return {
    global: {
      scrape_interval: input.scrapeInterval,
      // Prometheus refuses a timeout longer than the interval (its default is 10s).
      scrape_timeout: input.scrapeInterval,
      evaluation_interval: input.evaluationInterval,
    },
    rule_files: input.ruleFiles,
    ...(input.alertmanagerUrl === undefined ? {} : { alerting: { alertmanagers: [alertmanagerTarget(input.alertmanagerUrl)] } }),
    scrape_configs: input.clusters.map((c) => {
      const url = new URL(c.metricsUrl);
      return {
        job_name: `sandbox-${c.cluster}`,
        scheme: url.protocol.slice(0, -1),
        metrics_path: url.pathname,
        tls_config: { ca_file: c.caFile },
        authorization: { type: "Bearer", credentials_file: c.tokenFile },
        static_configs: [{ targets: [url.host], labels: { cluster: c.cluster } }],
      };
    }),
  };
}

function alertmanagerTarget(alertmanagerUrl: string): Record<string, unknown> {
  const url = new URL(alertmanagerUrl);
  const prefix = url.pathname.replace(/\/+$/, "");
  return {
    api_version: "v2",
    scheme: url.protocol.slice(0, -1),
    ...(prefix === "" ? {} : { path_prefix: prefix }),
    static_configs: [{ targets: [url.host] }],
  };
}
