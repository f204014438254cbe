import { createRequire } from "node:module";
import path from "node:path";
import type { ServerSpec } from "@autodevops/mcp-servers";
import type { Logger } from "@autodevops/shared";
import type { OwnServerName } from "./server-entry.js";

/** How one of our servers is started, and what it needs from the environment. */
export type OwnServerDef = {
  /** Variables without which the server cannot work: it is left out when one is unset. */
  requires: readonly string[];
  /** The variables handed to it (a child process gets only these, and PATH). */
  passes: (name: string) => boolean;
  /** Builds it in this process from the environment; absent: it runs as a child process only. */
  build?: (env: Record<string, string | undefined>, log: Logger) => Promise<ServerSpec>;
};

const common = (name: string) => name === "LOG_LEVEL" || name === "HOME" || name === "NODE_EXTRA_CA_CERTS";
const prefixed = (...prefixes: string[]) => (name: string) => common(name) || prefixes.some((p) => name.startsWith(p));

export const OWN_SERVERS: Record<OwnServerName, OwnServerDef> = {
  kubernetes: { requires: ["KUBECONFIG"], passes: (n) => prefixed("MCP_K8S_")(n) || n === "KUBECONFIG" || n === "POLICY_PUBLIC_KEY" },
  prometheus: { requires: ["PROMETHEUS_URL"], passes: prefixed("PROMETHEUS_") },
  loki: { requires: ["LOKI_URL"], passes: prefixed("LOKI_") },
  tempo: { requires: ["TEMPO_URL"], passes: prefixed("TEMPO_") },
  github: { requires: ["GITHUB_TOKEN"], passes: prefixed("GITHUB_") },
};

/** The path of a server's binary shim (it registers tsx, then runs the server's `main.ts`). */
export function ownServerBinary(name: OwnServerName): string {
  const entry = createRequire(import.meta.url).resolve("@autodevops/mcp-servers");
  return path.join(path.dirname(entry), "..", "bin", `autodevops-mcp-${name}.mjs`);
}
