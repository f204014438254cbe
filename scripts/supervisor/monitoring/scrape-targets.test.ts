import { describe, expect, it } from "vitest";
import { renderKubeconfig } from "../../../packages/sandbox/src/kubeconfig.js";
import { scrapeTargets, type SandboxClusters } from "./scrape-targets.js";

const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const clusters: SandboxClusters = {
  kubeconfig: "/data/sandbox/kubeconfig",
  clusters: [
    { name: "prod", context: "prod", metricsUrl: "https://127.0.0.1:7071/metrics" },
    { name: "staging", context: "staging", metricsUrl: "https://127.0.0.1:7072/metrics" },
  ],
};
const kubeconfig = (users: Array<{ name: string; token: string }>) =>
  renderKubeconfig({
    clusters: [
      { name: "prod", server: "https://127.0.0.1:7071", certificateAuthority: CA },
      { name: "staging", server: "https://127.0.0.1:7072", certificateAuthority: CA },
    ],
    users,
  });

describe("scrapeTargets", () => {
  it("takes each cluster's CA and the read-only scarlet token from the sandbox's kubeconfig", () => {
    const r = scrapeTargets(clusters, kubeconfig([{ name: "admin", token: "admin-token" }, { name: "scarlet", token: "scarlet-token" }]));
    expect(r).toEqual({
      ok: true,
      value: [
        { cluster: "prod", metricsUrl: "https://127.0.0.1:7071/metrics", caPem: CA, token: "scarlet-token" },
        { cluster: "staging", metricsUrl: "https://127.0.0.1:7072/metrics", caPem: CA, token: "scarlet-token" },
      ],
    });
  });

  it("falls back to the cluster's own (admin) context when there is no scarlet user", () => {
    const r = scrapeTargets(clusters, kubeconfig([{ name: "admin", token: "admin-token" }]));
    expect(r.ok && r.value.map((t) => t.token)).toEqual(["admin-token", "admin-token"]);
  });

  it("says which cluster has no context in the kubeconfig", () => {
    const r = scrapeTargets({ ...clusters, clusters: [{ name: "dev", context: "dev", metricsUrl: "https://127.0.0.1:7073/metrics" }] }, kubeconfig([{ name: "admin", token: "t" }]));
    expect(r).toEqual({ ok: false, error: "the kubeconfig has no context dev for cluster dev" });
  });
});
