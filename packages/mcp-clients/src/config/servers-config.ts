import type { ServerSpec } from "@autodevops/mcp-servers";
import type { Logger } from "@autodevops/shared";
import type { Endpoint } from "../connection/server-connection.js";

/** Per-tool settings of a server. */
export type ToolSettings = { timeoutMs?: number; cacheTtlMs?: number };

/** What the toolbox needs to know about a server beyond how to reach it. */
export type ServerSettings = {
  /** Default per-call timeout for its tools (the toolbox's default otherwise: 15 s). */
  timeoutMs?: number;
  /** Per agent, the only tools of this server it is offered. */
  allow?: { jamie?: string[]; scarlet?: string[] };
  tools?: Record<string, ToolSettings>;
  /**
   * The server checks decision tokens itself and changes nothing on `dryRun: true` (our own
   * servers): the toolbox forwards the decision and lets dry runs through without one.
   */
  decisionAware?: boolean;
};

/** How the toolbox gets a server: built and served in this process, or reached at an endpoint. */
export type ServerSource =
  | { kind: "in-process"; build: (log: Logger) => Promise<ServerSpec> | ServerSpec }
  | { kind: "endpoint"; endpoint: Endpoint };

export type ServerConfig = ServerSettings & { source: ServerSource };

/** The servers a toolbox connects to, and those left out with the reason. */
export type McpServersConfig = {
  servers: Record<string, ServerConfig>;
  skipped: { server: string; reason: string }[];
};
