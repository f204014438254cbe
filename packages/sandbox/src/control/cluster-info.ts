import { z } from "zod";

/** One cluster as `GET /sandbox/clusters` lists it (CONTRACTS.md section 2). */
export const ClusterInfo = z.object({
  name: z.string().min(1),
  /** The kubeconfig context that reaches it as admin. */
  context: z.string().min(1),
  apiServer: z.url(),
  metricsUrl: z.url(),
  lokiUrl: z.url(),
  tempoUrl: z.url(),
});
export type ClusterInfo = z.infer<typeof ClusterInfo>;

export const ClustersResponse = z.object({ kubeconfig: z.string().min(1), clusters: z.array(ClusterInfo) });
export type ClustersResponse = z.infer<typeof ClustersResponse>;

/**
 * A cluster's entry, with its telemetry served beside its Kubernetes API: Prometheus exposition
 * at `/metrics`, the Loki API under `/loki`, the Tempo API under `/tempo`.
 */
export function clusterInfo({ name, context, apiServer }: { name: string; context: string; apiServer: string }): ClusterInfo {
  const base = apiServer.replace(/\/+$/, "");
  return ClusterInfo.parse({ name, context, apiServer: base, metricsUrl: `${base}/metrics`, lokiUrl: `${base}/loki`, tempoUrl: `${base}/tempo` });
}
