import { MultiServerMCPClient, type Connection } from "@langchain/mcp-adapters";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "@autodevops/shared";
import type { ToolAnnotations } from "../policy/tool-policy.js";

/** How to reach one server: a child process over stdio, or a URL over Streamable HTTP. */
export type Endpoint =
  | { transport: "stdio"; command: string; args: string[]; env?: Record<string, string>; cwd?: string; stderr?: "inherit" | "ignore" }
  | { transport: "http"; url: string; headers?: Record<string, string> };

/** A tool as its server declares it (the input schema simplified for LLMs by the adapters). */
export type DiscoveredTool = {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations: ToolAnnotations | undefined;
};

function adapterConnection(e: Endpoint): Connection {
  if (e.transport === "stdio") {
    return { transport: "stdio", command: e.command, args: e.args, ...(e.env ? { env: e.env } : {}), ...(e.cwd ? { cwd: e.cwd } : {}), stderr: e.stderr ?? "inherit" };
  }
  // Reconnects are this package's job (see `ServerConnection`), and a server that refuses a POST
  // is not a legacy SSE server: no fallback that would hide the real error.
  return { transport: "http", url: e.url, ...(e.headers ? { headers: e.headers } : {}), automaticSSEFallback: false, reconnect: { enabled: false } };
}

/**
 * One server's connection, on its own `MultiServerMCPClient`: a restart of one server then
 * reconnects that server alone, and a server that was down when the toolbox started is tried
 * again on the next call instead of being dropped for good (the adapter's client remembers
 * failed servers). After a transport failure the caller calls `reset()`; the next call connects
 * afresh (for stdio, a new child process).
 */
export class ServerConnection {
  readonly name: string;
  readonly endpoint: Endpoint;
  readonly #log: Pick<Logger, "info" | "warn">;
  #adapter: MultiServerMCPClient | undefined;
  #client: Promise<Client> | undefined;

  constructor(name: string, endpoint: Endpoint, log: Pick<Logger, "info" | "warn">) {
    this.name = name;
    this.endpoint = endpoint;
    this.#log = log;
  }

  #open(): Promise<Client> {
    const adapter = new MultiServerMCPClient({
      mcpServers: { [this.name]: adapterConnection(this.endpoint) },
      onConnectionError: "throw",
      throwOnLoadError: false,
    });
    this.#adapter = adapter;
    return adapter.getClient(this.name).then((client) => {
      if (!client) throw new Error(`failed to connect to MCP server ${this.name}`);
      return client;
    });
  }

  /** The connected client; connects (again) when there is none or its transport has closed. */
  async client(): Promise<Client> {
    const pending = this.#client;
    if (pending) {
      const current = await pending.catch(() => undefined);
      // The SDK drops its transport when the connection closes (a child process that exited).
      if (current?.transport !== undefined) return current;
      // Another caller is already connecting again: share its connection.
      if (this.#client !== pending) return this.client();
      await this.reset();
    }
    const opening = this.#open();
    this.#client = opening;
    try {
      const client = await opening;
      this.#log.info({ server: this.name, transport: this.endpoint.transport }, "MCP server connected");
      return client;
    } catch (e) {
      if (this.#client === opening) await this.reset();
      throw e;
    }
  }

  /** The server's tools, read afresh. */
  async listTools(): Promise<DiscoveredTool[]> {
    await this.client();
    const tools = (await this.#adapter?.getTools(this.name)) ?? [];
    return tools.map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: t.schema as Record<string, unknown>,
      annotations: (t.metadata as { annotations?: ToolAnnotations } | undefined)?.annotations,
    }));
  }

  /** One call, once: no retry here. Throws on a transport or protocol failure; a tool's own error is a result with `isError`. */
  async callTool(tool: string, args: Record<string, unknown>, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<CallToolResult> {
    const client = await this.client();
    const result = await client.callTool({ name: tool, arguments: args }, undefined, { timeout: opts.timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) });
    return result as CallToolResult;
  }

  /** Drops the connection (and a stdio server's process); the next call connects again. */
  async reset(): Promise<void> {
    const adapter = this.#adapter;
    this.#adapter = undefined;
    this.#client = undefined;
    await adapter?.close().catch((e: unknown) => this.#log.warn({ server: this.name, err: String(e) }, "closing an MCP connection failed"));
  }

  async close(): Promise<void> {
    await this.reset();
  }
}
