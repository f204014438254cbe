// The public surface of @autodevops/mcp-servers: the shared core, and one spec builder per server
// (each server's folder adds its line here).
export {
  defineTool,
  ToolError,
  scrubSecrets,
  SECRET_REDACTED,
  boundText,
  DEFAULT_MAX_OUTPUT_CHARS,
  registerTools,
  callTool,
  DEFAULT_TOOL_TIMEOUT_MS,
  createMcpServer,
  serveHttp,
  serveStdio,
  parseServerArgs,
  runServerCli,
  type AnyToolSpec,
  type ToolKind,
  type ToolContext,
  type ToolResult,
  type ToolSpec,
  type RegisterOptions,
  type ServerSpec,
  type HttpOptions,
  type RunningHttp,
} from "./core/index.js";
export { githubServer, type GitHubServerOptions } from "./github/server.js";
export { parseGitHubConfig, type GitHubConfig } from "./github/config.js";
export { createGitHubContext, type GitHubContext } from "./github/client.js";
export { branchExists, openPullRequestFromChanges, type OpenedPullRequest, type PullRequestFromChanges } from "./github/pull-request-from-changes.js";
export { kubernetesServer, type KubernetesServerOptions } from "./kubernetes/server.js";
export { clustersFromKubeconfig, ClusterSet, type ClusterClients } from "./kubernetes/clusters.js";
export { loadKubernetesConfig, type KubernetesServerConfig } from "./kubernetes/config.js";
export { prometheusServer, type PrometheusServerOptions } from "./prometheus/server.js";
export { lokiServer, type LokiServerOptions } from "./loki/server.js";
export { tempoServer, type TempoServerOptions } from "./tempo/server.js";
export { createUpstreams, type Upstreams } from "./upstream/upstreams.js";
export { upstreamsFromEnv } from "./upstream/from-env.js";
export { parseEndpoints, type Endpoint } from "@autodevops/shared";
export { type UpstreamOptions } from "./upstream/http-upstream.js";
