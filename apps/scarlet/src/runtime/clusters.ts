import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { formatMcpConfigIssues, loadMcpServersConfig, type McpServersConfig } from "@autodevops/mcp-clients";
import { z } from "zod";
import type { ScrapedCluster } from "../monitor/telemetry-checks.js";

/** The clusters Scarlet watches, the kubeconfig they come from, and where their telemetry is read. */
export interface ClusterSetup {
  kubeconfigPath: string;
  clusters: { name: string; context: string; kubeConfig: KubeConfig }[];
  /** For reading the sandbox's /metrics directly when no Prometheus runs. */
  scrape: ScrapedCluster[];
  /** The sandbox's Loki and Tempo per cluster (same CA and token as its /metrics). */
  logsAndTraces?: { loki: Record<string, string>; tempo: Record<string, string> };
  /** The sandbox compresses Kubernetes time ×10; a real cluster does not. */
  timeFactor: number;
}

const SandboxClusters = z.object({
  kubeconfig: z.string().min(1),
  clusters: z.array(z.object({ name: z.string().min(1), context: z.string().min(1), metricsUrl: z.string().optional(), lokiUrl: z.string().optional(), tempoUrl: z.string().optional() })).min(1),
});

/** The sandbox's time compression (packages/sandbox/src/sim-time.ts). */
const SANDBOX_TIME_FACTOR = 10;

/** A kubeconfig with `context` current, sharing nothing with others (client-node keeps the current context on the object). */
function contextConfig(path: string, context: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  kc.setCurrentContext(context);
  return kc;
}

/** Every context of a real kubeconfig is one cluster, named after its context. */
export function clustersFromKubeconfig(path: string): ClusterSetup {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  const clusters = kc.getContexts().map((c) => ({ name: c.name, context: c.name, kubeConfig: contextConfig(path, c.name) }));
  return { kubeconfigPath: path, clusters, scrape: [], timeFactor: 1 };
}

/**
 * The sandbox's clusters, as the caller's own least-privilege identity (`<identity>@<cluster>`:
 * Scarlet's by default, Jamie's read-only one for Jamie) when the kubeconfig has it, else the
 * admin context. Waits for the sandbox's control API (it starts alongside).
 */
export async function clustersFromSandbox(sandboxUrl: string, opts: { waitMs: number; identity?: "scarlet" | "jamie"; fetch?: typeof fetch }): Promise<ClusterSetup> {
  const identity = opts.identity ?? "scarlet";
  const doFetch = opts.fetch ?? fetch;
  const deadline = Date.now() + opts.waitMs;
  let last: string;
  for (;;) {
    try {
      const res = await doFetch(`${sandboxUrl.replace(/\/+$/, "")}/sandbox/clusters`);
      if (res.ok) {
        const body = SandboxClusters.parse(await res.json());
        const probe = new KubeConfig();
        probe.loadFromFile(body.kubeconfig);
        const names = new Set(probe.getContexts().map((c) => c.name));
        const clusters = body.clusters.map((c) => {
          const context = names.has(`${identity}@${c.name}`) ? `${identity}@${c.name}` : c.context;
          return { name: c.name, context, kubeConfig: contextConfig(body.kubeconfig, context) };
        });
        const scrape = body.clusters.flatMap((c): ScrapedCluster[] => {
          if (!c.metricsUrl) return [];
          const kc = clusters.find((x) => x.name === c.name)?.kubeConfig;
          const cluster = kc?.getCurrentCluster();
          const user = kc?.getCurrentUser();
          const ca = cluster?.caData ? Buffer.from(cluster.caData, "base64").toString("utf8") : undefined;
          return [{ name: c.name, metricsUrl: c.metricsUrl, ...(ca ? { ca } : {}), ...(user?.token ? { token: user.token } : {}) }];
        });
        const per = (key: "lokiUrl" | "tempoUrl") => Object.fromEntries(body.clusters.flatMap((c) => (c[key] ? [[c.name, c[key]]] : [])));
        return { kubeconfigPath: body.kubeconfig, clusters, scrape, logsAndTraces: { loki: per("lokiUrl"), tempo: per("tempoUrl") }, timeFactor: SANDBOX_TIME_FACTOR };
      }
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`the sandbox at ${sandboxUrl} did not answer /sandbox/clusters: ${last}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * The environment that points our Loki and Tempo MCP servers at the sandbox's, unless the
 * operator configured real ones: `prod=URL,staging=URL`, the sandbox's CA in a file, and
 * the setup's identity's token.
 */
export async function sandboxTelemetryEnv(setup: ClusterSetup, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const first = setup.scrape[0];
  if (!setup.logsAndTraces || !first?.token) return {};
  const out: Record<string, string> = {};
  let caFile: string | undefined;
  if (first.ca) {
    const dir = await mkdtemp(path.join(tmpdir(), "scarlet-sandbox-ca-"));
    caFile = path.join(dir, "ca.pem");
    await writeFile(caFile, first.ca, { mode: 0o600 });
  }
  const join = (m: Record<string, string>) => Object.entries(m).map(([k, v]) => `${k}=${v}`).join(",");
  for (const [prefix, urls] of [["LOKI", setup.logsAndTraces.loki], ["TEMPO", setup.logsAndTraces.tempo]] as const) {
    if (env[`${prefix}_URL`] || Object.keys(urls).length === 0) continue;
    out[`${prefix}_URL`] = join(urls);
    out[`${prefix}_TOKEN`] = first.token;
    if (caFile) out[`${prefix}_CA_FILE`] = caFile;
  }
  return out;
}

/**
 * The MCP servers' configuration for these clusters: the environment's, pointed at the setup's
 * kubeconfig and contexts (and the sandbox's Loki and Tempo when no real ones are set), plus
 * `extra` (Scarlet's policy key). Throws with every issue named when it does not validate.
 */
export async function mcpConfigFor(setup: ClusterSetup, env: NodeJS.ProcessEnv, extra: Record<string, string> = {}): Promise<McpServersConfig> {
  const mcp = loadMcpServersConfig({
    ...env,
    ...(await sandboxTelemetryEnv(setup, env)),
    KUBECONFIG: setup.kubeconfigPath,
    MCP_K8S_CONTEXTS: setup.clusters.map((c) => `${c.name}=${c.context}`).join(","),
    ...extra,
  });
  if (!mcp.ok) throw new Error(`MCP server configuration:\n${formatMcpConfigIssues(mcp.error)}`);
  return mcp.value;
}
