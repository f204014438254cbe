import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";

/**
 * Why a call did not get a tool result:
 * - transport: the server could not be reached or the connection broke (worth a reconnect, and for
 *   a read a retry);
 * - timeout: no answer within the call's time;
 * - cancelled: the caller gave up;
 * - protocol: the server answered with a JSON-RPC error (retrying would get the same answer).
 */
export type CallFailureKind = "transport" | "timeout" | "cancelled" | "protocol";

const NET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "UND_ERR_SOCKET", "UND_ERR_CLOSED", "ERR_STREAM_PREMATURE_CLOSE"]);

function codesOf(e: unknown): string[] {
  const out: string[] = [];
  for (let cur = e, depth = 0; cur && typeof cur === "object" && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string") out.push(code);
  }
  return out;
}

/** Sorts an error thrown by an MCP client call (or its connection) into a failure kind. */
export function classifyCallError(e: unknown): CallFailureKind {
  if (e instanceof McpError) {
    if (e.code === ErrorCode.RequestTimeout) return "timeout";
    if (e.code === ErrorCode.ConnectionClosed) return /cancel/i.test(e.message) ? "cancelled" : "transport";
    return "protocol";
  }
  if (e instanceof StreamableHTTPError) {
    // 404: a stateful server restarted and forgot the session; 5xx and 429: try again later.
    return e.code === undefined || e.code === 404 || e.code === 408 || e.code === 429 || e.code >= 500 ? "transport" : "protocol";
  }
  if (e instanceof Error && (e.name === "AbortError" || e.name === "TimeoutError")) return e.name === "TimeoutError" ? "timeout" : "cancelled";
  if (codesOf(e).some((c) => NET_CODES.has(c))) return "transport";
  const message = e instanceof Error ? e.message : String(e);
  if (/not connected|connection closed|fetch failed|socket hang up|terminated|other side closed|failed to connect|ECONNREFUSED|ECONNRESET|EPIPE|process exited|spawn/i.test(message)) return "transport";
  return "protocol";
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
