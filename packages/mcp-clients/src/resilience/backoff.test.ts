import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { backoffMs } from "./backoff.js";
import { classifyCallError } from "./errors.js";

describe("backoff", () => {
  it("doubles up to the cap, with half of each wait random", () => {
    const s = { baseDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, s, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, s, () => 1))).toEqual([100, 200, 400, 800, 1_000]);
  });
});

describe("failure kinds", () => {
  it.each([
    [new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }) }), "transport"],
    [new StreamableHTTPError(503, "Error POSTing to endpoint"), "transport"],
    [new StreamableHTTPError(404, "Session not found"), "transport"],
    [new StreamableHTTPError(401, "unauthorized"), "protocol"],
    [new McpError(ErrorCode.ConnectionClosed, "Connection closed"), "transport"],
    [new McpError(ErrorCode.ConnectionClosed, "Request was cancelled"), "cancelled"],
    [new McpError(ErrorCode.RequestTimeout, "Request timed out"), "timeout"],
    [new McpError(ErrorCode.InvalidParams, "bad"), "protocol"],
    [new Error("Not connected"), "transport"],
    [Object.assign(new Error("x"), { name: "TimeoutError" }), "timeout"],
    [new Error("something else"), "protocol"],
  ])("%s is a %s failure", (e, kind) => {
    expect(classifyCallError(e)).toBe(kind);
  });
});
