import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { Logger } from "@autodevops/shared";

/** Serves one server over stdin/stdout until the input closes. */
export async function serveStdio(server: McpServer): Promise<void> {
  await server.connect(new StdioServerTransport());
}

export type HttpOptions = {
  host: string;
  port: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  bearerToken?: string | undefined;
  log: Pick<Logger, "info" | "warn">;
};

export type RunningHttp = { url: string; server: Server; close(): Promise<void> };

const MCP_PATH = "/mcp";

/**
 * Serves MCP over Streamable HTTP at `/mcp`, stateless: each POST gets a fresh server and
 * transport, so any number of clients (and replicas behind a load balancer) need no sessions.
 * `/healthz` answers for probes.
 */
export async function serveHttp(newServer: () => McpServer, opts: HttpOptions): Promise<RunningHttp> {
  const http = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      opts.log.warn({ err: e }, "MCP HTTP request failed");
      if (!res.headersSent) sendJsonRpcError(res, 500, -32603, "internal error");
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return void res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    if (path !== MCP_PATH) return void res.writeHead(404, { "content-type": "text/plain" }).end("not found: MCP is served at /mcp\n");
    if (opts.bearerToken !== undefined && !bearerMatches(req.headers.authorization, opts.bearerToken)) {
      return sendJsonRpcError(res, 401, -32001, "unauthorized: send Authorization: Bearer <token>");
    }
    if (req.method !== "POST") return sendJsonRpcError(res, 405, -32000, "method not allowed: this server is stateless, POST JSON-RPC to /mcp");
    const server = newServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  }
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const url = `http://${opts.host === "0.0.0.0" ? "127.0.0.1" : opts.host}:${port}${MCP_PATH}`;
  return {
    url,
    server: http,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? "")?.[1] ?? "");
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}
