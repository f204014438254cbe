import { createMcpToolbox } from "@autodevops/mcp-clients";
import { createEventBus, generatePolicyKeys, PgAuditStore, type Config, type Logger } from "@autodevops/shared";
import { llmHooks } from "../llm/llm-hooks.js";
import { detectorSettings } from "../detectors/settings.js";
import { prometheusSource, sandboxMetricsSource } from "../monitor/telemetry-checks.js";
import { PolicySettings } from "../policy/policy-inputs.js";
import { clustersFromKubeconfig, clustersFromSandbox, mcpConfigFor } from "./clusters.js";
import { toolEvidence } from "./evidence.js";
import { clusterLeadership } from "./leader-election-clusters.js";
import type { LeaseSettings } from "./leader-election.js";
import { startScarlet, type RunningScarlet, type ScarletOptions } from "./scarlet.js";
import { GitOpsRepo } from "../gitops/gitops-repo.js";

/** The GitOps change path's settings (config.gitops when on) and the GitHub token and API it uses. */
export type GitOpsBootSettings = Extract<Config["gitops"], { enabled: true }> & { token: string; apiUrl: string };

export interface BootOptions {
  databaseUrl: string;
  /** Real clusters; without it, the sandbox's at `sandboxUrl`. */
  kubeconfig?: string;
  sandboxUrl?: string;
  prometheusUrl?: string;
  redisUrl?: string;
  host: string;
  port: number;
  approvers: { token: string; user: string }[];
  alertsToken: string;
  log: Logger;
  /** Policy settings as the operator writes them (defaults for the rest). */
  policy?: Record<string, unknown>;
  /** The environment the MCP servers are configured from (MCP_SERVERS, LOKI_URL, …). */
  env?: NodeJS.ProcessEnv;
  /** The LLM, when one is configured: it writes summaries and may rank the playbooks' hypotheses. */
  llm?: Config["llm"];
  /** Several replicas, one leader per cluster through a Lease in that cluster (unset: this process works every cluster). */
  leaderElection?: LeaseSettings;
  /** Changes to GitOps-managed workloads as pull requests (GITOPS_REPO and GITHUB_TOKEN). */
  gitops?: GitOpsBootSettings;
  /** Test and bench knobs: shorter waits than a person would choose. */
  tuning?: Partial<Pick<ScarletOptions, "settleMs" | "retryMs" | "tickMs" | "closeQuietMs" | "telemetryIntervalMs" | "verify" | "evidenceWaitMs">>;
}

export interface BootedScarlet extends RunningScarlet {
  /** Stops Scarlet and closes what boot opened (toolbox, bus, audit). */
  close(): Promise<void>;
}

/**
 * Everything Scarlet needs, from settings: the clusters (a kubeconfig, or the sandbox's), a policy
 * key pair for this process (it signs each decision; the write tools it starts verify them), the
 * MCP toolbox, the audit store, the event bus and the telemetry source. main.ts, the end-to-end
 * tests and the bench all start Scarlet through here.
 */
export async function bootScarlet(o: BootOptions): Promise<BootedScarlet> {
  const setup = o.kubeconfig ? clustersFromKubeconfig(o.kubeconfig) : await clustersFromSandbox(o.sandboxUrl ?? "http://127.0.0.1:7070", { waitMs: 60_000 });
  const keys = generatePolicyKeys();
  const env = o.env ?? process.env;
  const mcp = await mcpConfigFor(setup, env, { POLICY_PUBLIC_KEY: keys.publicKeyPem });
  const audit = new PgAuditStore(o.databaseUrl, o.log.child({ component: "audit" }));
  const bus = createEventBus({ databaseUrl: o.databaseUrl, ...(o.redisUrl ? { redisUrl: o.redisUrl } : {}), service: "scarlet", log: o.log });
  await bus.connect();
  const tools = await createMcpToolbox({ agent: "scarlet", config: mcp, audit, policyPublicKey: keys.publicKeyPem, log: o.log });
  // One Prometheus for every cluster (series carry a `cluster` label), else the sandbox's /metrics read directly.
  const promUrl = o.prometheusUrl?.split(",")[0]?.replace(/^[\w-]+=/, "");
  const telemetry = promUrl ? prometheusSource({ url: promUrl }) : setup.scrape.length > 0 ? sandboxMetricsSource({ clusters: setup.scrape }) : undefined;
  const sandbox = setup.timeFactor > 1;
  const g = o.gitops;
  const gitops: ScarletOptions["gitops"] = g
    ? {
        repo: new GitOpsRepo({ repo: g.repo, branch: g.branch, token: g.token, apiUrl: g.apiUrl, log: o.log.child({ component: "github" }) }),
        settings: { path: g.path, workloads: g.workloads, syncTimeoutMs: g.syncTimeoutMs, syncPollMs: sandbox ? 1000 : 5000 },
        pollMs: g.pollMs,
        postmortems: g.postmortems,
      }
    : undefined;
  try {
    const scarlet = await startScarlet({
      databaseUrl: o.databaseUrl,
      clusters: setup.clusters,
      ...(telemetry ? { telemetry } : {}),
      tools,
      audit,
      bus,
      log: o.log,
      host: o.host,
      port: o.port,
      approvers: o.approvers,
      alertsAuth: { bearerToken: o.alertsToken },
      policy: { settings: PolicySettings.parse(o.policy ?? {}), privateKeyPem: keys.privateKeyPem },
      detectors: detectorSettings({ timeFactor: setup.timeFactor }),
      // The sandbox's rollouts and back-offs run ten times faster, so verification can be shorter.
      verify: sandbox ? { deadlineMs: 90_000, pollMs: 1000, quietMs: 8000 } : { deadlineMs: 600_000, pollMs: 5000, quietMs: 120_000 },
      telemetryIntervalMs: sandbox ? 2000 : 15_000,
      closeQuietMs: sandbox ? 60_000 : 600_000,
      evidenceWaitMs: sandbox ? 90_000 : 180_000,
      ...(setup.clusters[0] ? { defaultCluster: setup.clusters[0].name } : {}),
      gatherEvidence: toolEvidence(tools, o.log.child({ component: "evidence" })),
      ...(o.llm ? llmHooks(o.llm, o.log) : {}),
      ...(gitops ? { gitops } : {}),
      ...(o.leaderElection ? { leadership: clusterLeadership({ clusters: setup.clusters, lease: o.leaderElection, log: o.log.child({ component: "leader-election" }) }) } : {}),
      ...o.tuning,
    });
    return {
      ...scarlet,
      async close() {
        await scarlet.stop();
        await tools.close().catch(() => undefined);
        await bus.close().catch(() => undefined);
        await audit.close().catch(() => undefined);
      },
    };
  } catch (e) {
    await tools.close().catch(() => undefined);
    await bus.close().catch(() => undefined);
    await audit.close().catch(() => undefined);
    throw e;
  }
}
