// The public surface of @autodevops/mcp-servers: the shared core, and one spec builder per server
// (each server's folder adds its line here).
export * from "./core/index.js";
export { githubServer, type GitHubServerOptions } from "./github/server.js";
export { parseGitHubConfig, type GitHubConfig } from "./github/config.js";
export { kubernetesServer, type KubernetesServerOptions } from "./kubernetes/server.js";
export { clustersFromKubeconfig, ClusterSet, type ClusterClients } from "./kubernetes/clusters.js";
export { loadKubernetesConfig, type KubernetesServerConfig } from "./kubernetes/config.js";
