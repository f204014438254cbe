import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import {
  clustersFromKubeconfig,
  githubServer,
  kubernetesServer,
  loadKubernetesConfig,
  lokiServer,
  parseGitHubConfig,
  prometheusServer,
  tempoServer,
  upstreamsFromEnv,
  type ServerSpec,
} from "@autodevops/mcp-servers";
import type { Logger } from "@autodevops/shared";
import type { OwnServerName } from "./server-entry.js";

/** How one of our servers is started, and what it needs from the environment. */
export type OwnServerDef = {
  /** Variables without which the server cannot work: it is left out when one is unset. */
  requires: readonly string[];
  /** The variables handed to it (a child process gets only these, and PATH). */
  passes: (name: string) => boolean;
  /** Builds it in this process from the environment (what its binary's main.ts does). */
  build?: (env: Record<string, string | undefined>, log: Logger) => Promise<ServerSpec>;
};

const common = (name: string) => name === "LOG_LEVEL" || name === "HOME" || name === "NODE_EXTRA_CA_CERTS";
const prefixed = (...prefixes: string[]) => (name: string) => common(name) || prefixes.some((p) => name.startsWith(p));

// What each binary's main.ts does with its environment, done here for the in-process run.
async function buildKubernetes(env: Record<string, string | undefined>, log: Logger): Promise<ServerSpec> {
  const config = loadKubernetesConfig(env);
  const kc = new KubeConfig();
  kc.loadFromFile(config.kubeconfigPath);
  const key = config.policyPublicKey;
  const policyPublicKeyPem = key && "file" in key ? await readFile(key.file, "utf8") : key?.pem;
  if (!policyPublicKeyPem) log.warn({}, "kubernetes MCP server without POLICY_PUBLIC_KEY: its write tools take dry runs only");
  return kubernetesServer({ clusters: clustersFromKubeconfig(kc, config.contexts), policyPublicKeyPem });
}

async function buildGitHub(env: Record<string, string | undefined>, log: Logger): Promise<ServerSpec> {
  const config = parseGitHubConfig(env);
  if (!config.ok) throw new Error(config.error);
  return githubServer({ ...config.value, log });
}

export const OWN_SERVERS: Record<OwnServerName, OwnServerDef> = {
  kubernetes: { requires: ["KUBECONFIG"], passes: (n) => prefixed("MCP_K8S_")(n) || n === "KUBECONFIG" || n === "POLICY_PUBLIC_KEY", build: buildKubernetes },
  prometheus: { requires: ["PROMETHEUS_URL"], passes: prefixed("PROMETHEUS_"), build: async (env) => prometheusServer({ upstreams: await upstreamsFromEnv("PROMETHEUS", env) }) },
  loki: { requires: ["LOKI_URL"], passes: prefixed("LOKI_"), build: async (env) => lokiServer({ upstreams: await upstreamsFromEnv("LOKI", env) }) },
  tempo: { requires: ["TEMPO_URL"], passes: prefixed("TEMPO_"), build: async (env) => tempoServer({ upstreams: await upstreamsFromEnv("TEMPO", env) }) },
  github: { requires: ["GITHUB_TOKEN"], passes: prefixed("GITHUB_"), build: buildGitHub },
};

/** The path of a server's binary shim (it registers tsx, then runs the server's `main.ts`). */
export function ownServerBinary(name: OwnServerName): string {
  const entry = createRequire(import.meta.url).resolve("@autodevops/mcp-servers");
  return path.join(path.dirname(entry), "..", "bin", `autodevops-mcp-${name}.mjs`);
}
