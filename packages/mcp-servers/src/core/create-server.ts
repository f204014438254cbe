import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { AnyToolSpec } from "./define-tool.js";
import { registerTools, type RegisterOptions } from "./register-tools.js";

export type ServerSpec = {
  /** `autodevops-kubernetes`, say: what clients see as the server's name. */
  name: string;
  version: string;
  /** Told to the client at initialisation: what the server is for and how to use it well. */
  instructions: string;
  tools: readonly AnyToolSpec[];
};

/** A new MCP server with the spec's tools (one per connection in stateless HTTP, one for stdio). */
export function createMcpServer(spec: ServerSpec, opts: RegisterOptions): McpServer {
  const server = new McpServer({ name: spec.name, version: spec.version }, { instructions: spec.instructions, capabilities: { tools: {} } });
  registerTools(server, spec.tools, opts);
  return server;
}
