import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { writePrometheusFiles } from "./config-files.js";
import { prometheusConfig } from "./prometheus-config.js";

const RULES = fileURLToPath(new URL("../../../deploy/prometheus/rules.yaml", import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const clusters = [
  { cluster: "prod", metricsUrl: "https://127.0.0.1:7071/metrics", caFile: "/d/prod-ca.crt", tokenFile: "/d/prod.token" },
  { cluster: "staging", metricsUrl: "https://127.0.0.1:7072/metrics", caFile: "/d/staging-ca.crt", tokenFile: "/d/staging.token" },
];

describe("prometheusConfig", () => {
  it("scrapes each cluster over HTTPS with its CA and bearer token file, labelled with its name", () => {
    const config = prometheusConfig({ clusters, ruleFiles: [RULES], scrapeInterval: "5s", evaluationInterval: "5s" });
    expect(config.scrape_configs).toEqual([
      {
        job_name: "sandbox-prod",
        scheme: "https",
        metrics_path: "/metrics",
        tls_config: { ca_file: "/d/prod-ca.crt" },
        authorization: { type: "Bearer", credentials_file: "/d/prod.token" },
        static_configs: [{ targets: ["127.0.0.1:7071"], labels: { cluster: "prod" } }],
      },
      expect.objectContaining({ job_name: "sandbox-staging", static_configs: [{ targets: ["127.0.0.1:7072"], labels: { cluster: "staging" } }] }),
    ]);
    expect(config.global).toEqual({ scrape_interval: "5s", scrape_timeout: "5s", evaluation_interval: "5s" });
    expect(config.rule_files).toEqual([RULES]);
    expect(config).not.toHaveProperty("alerting");
  });

  it("sends alerts to the Alertmanager URL, keeping a path prefix", () => {
    const at = (url: string) => prometheusConfig({ clusters, ruleFiles: [], alertmanagerUrl: url, scrapeInterval: "5s", evaluationInterval: "5s" }).alerting;
    expect(at("http://127.0.0.1:9093")).toEqual({ alertmanagers: [{ api_version: "v2", scheme: "http", static_configs: [{ targets: ["127.0.0.1:9093"] }] }] });
    expect(at("https://am.example.com/alertmanager/")).toEqual({
      alertmanagers: [{ api_version: "v2", scheme: "https", path_prefix: "/alertmanager", static_configs: [{ targets: ["am.example.com"] }] }],
    });
  });

  it("writes a prometheus.yml that `promtool check config` accepts, with owner-only credentials beside it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "prom-config-"));
    dirs.push(dir);
    const targets = ["prod", "staging"].map((c, i) => ({ cluster: c, metricsUrl: `https://127.0.0.1:${7071 + i}/metrics`, caPem: "-----BEGIN CERTIFICATE-----\n", token: `token-${c}` }));
    const file = await writePrometheusFiles(dir, targets, { ruleFiles: [RULES], alertmanagerUrl: "http://127.0.0.1:9093", scrapeInterval: "5s", evaluationInterval: "5s" });
    expect(await readFile(path.join(dir, "prod.token"), "utf8")).toBe("token-prod");
    expect((await stat(path.join(dir, "staging.token"))).mode & 0o777).toBe(0o600);
    const r = spawnSync("promtool", ["check", "config", file], { encoding: "utf8", timeout: 60_000 });
    if (r.error) throw new Error(`promtool could not run (\`apt-get install prometheus\` ships it): ${r.error.message}`);
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/SUCCESS: \d+ rule files found/);
  });
});
