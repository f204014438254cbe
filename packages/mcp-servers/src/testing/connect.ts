import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { createLogger } from "@autodevops/shared";
import { createMcpServer, type ServerSpec } from "../core/create-server.js";
import { serveHttp } from "../core/transports.js";

const log = createLogger({ service: "mcp-test", level: "silent" });

/** A real MCP client connected to the spec's server over an in-memory transport pair. */
export async function connectInMemory(spec: ServerSpec): Promise<{ client: Client; close(): Promise<void> }> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const server = createMcpServer(spec, { log });
  await server.connect(serverSide);
  const client = new Client({ name: "test", version: "0.0.0" });
  await client.connect(clientSide);
  return { client, close: async () => void (await client.close(), await server.close()) };
}

/** The spec served over Streamable HTTP on a free port, and a real client connected to it. */
export async function connectHttp(spec: ServerSpec, opts: { bearerToken?: string } = {}) {
  const http = await serveHttp(() => createMcpServer(spec, { log }), { host: "127.0.0.1", port: 0, bearerToken: opts.bearerToken, log });
  const client = new Client({ name: "test", version: "0.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(http.url), opts.bearerToken ? { requestInit: { headers: { authorization: `Bearer ${opts.bearerToken}` } } } : {}));
  return { client, url: http.url, close: async () => void (await client.close(), await http.close()) };
}

/** The text of a tool result (its first text block). */
export function textOf(result: unknown): string {
  const content = (result as CallToolResult).content ?? [];
  const first = content.find((c) => c.type === "text");
  return first?.type === "text" ? first.text : "";
}
