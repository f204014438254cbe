import { randomBytes } from "node:crypto";
import { createMcpServer, serveHttp, type ServerSpec } from "@autodevops/mcp-servers";
import type { Logger } from "@autodevops/shared";
import type { Endpoint } from "./server-connection.js";

export type InProcessServer = { endpoint: Endpoint; close(): Promise<void> };

/**
 * Serves a server spec from this process on a loopback port, behind a random bearer token so
 * no other local process can use it. The adapters take only stdio and HTTP transports (no custom
 * transport, so no in-memory link); stateless HTTP on loopback costs well under a millisecond.
 */
export async function serveInProcess(spec: ServerSpec, log: Logger): Promise<InProcessServer> {
  const token = randomBytes(24).toString("base64url");
  const running = await serveHttp(() => createMcpServer(spec, { log }), { host: "127.0.0.1", port: 0, bearerToken: token, log });
  return { endpoint: { transport: "http", url: running.url, headers: { authorization: `Bearer ${token}` } }, close: () => running.close() };
}
