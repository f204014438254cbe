import { KubeConfig } from "@kubernetes/client-node";
import { z } from "zod";
import { err, ok, type Result } from "../../../packages/shared/src/core/result.js";

/**
 * What Prometheus needs to scrape each sandbox cluster: the sandbox's control API lists the
 * clusters (`GET /sandbox/clusters`, CONTRACTS.md section 2) and names the kubeconfig, which
 * holds the CA the API servers' certificate chains to and the identities' bearer tokens.
 */

/** The part of `GET /sandbox/clusters` this needs. */
export const SandboxClusters = z.object({
  kubeconfig: z.string().min(1),
  clusters: z.array(z.object({ name: z.string().min(1), context: z.string().min(1), metricsUrl: z.url() })).min(1),
});
export type SandboxClusters = z.infer<typeof SandboxClusters>;

export interface ScrapeTarget {
  /** The `cluster` label of every series scraped from it. */
  cluster: string;
  metricsUrl: string;
  /** PEM of the authority the API server's certificate chains to. */
  caPem: string;
  token: string;
}

/** The identity Prometheus scrapes as: the read-only `scarlet` service account when there is one (any identity may read /metrics). */
const SCRAPE_USER = "scarlet";

/** One target per cluster, with the CA and a token from the kubeconfig's text; an error names what is missing. */
export function scrapeTargets(clusters: SandboxClusters, kubeconfigText: string): Result<ScrapeTarget[], string> {
  const kc = new KubeConfig();
  try {
    kc.loadFromString(kubeconfigText);
  } catch (e) {
    return err(`the kubeconfig ${clusters.kubeconfig} cannot be read: ${(e as Error).message}`);
  }
  const targets: ScrapeTarget[] = [];
  for (const c of clusters.clusters) {
    const context = kc.getContextObject(`${SCRAPE_USER}@${c.name}`) ?? kc.getContextObject(c.context);
    if (!context) return err(`the kubeconfig has no context ${c.context} for cluster ${c.name}`);
    const cluster = kc.getCluster(context.cluster);
    const token = kc.getUser(context.user)?.token;
    if (!cluster?.caData) return err(`the kubeconfig's cluster ${context.cluster} has no certificate-authority-data`);
    if (!token) return err(`the kubeconfig's user ${context.user} has no token`);
    targets.push({ cluster: c.name, metricsUrl: c.metricsUrl, caPem: Buffer.from(cluster.caData, "base64").toString("utf8"), token });
  }
  return ok(targets);
}
