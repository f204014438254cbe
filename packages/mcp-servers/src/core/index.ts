export { defineTool, type AnyToolSpec, type ToolKind, type ToolContext, type ToolResult, type ToolSpec } from "./define-tool.js";
export { ToolError } from "./tool-error.js";
export { scrubSecrets, SECRET_REDACTED } from "./scrub-secrets.js";
export { boundText, DEFAULT_MAX_OUTPUT_CHARS } from "./bounded-text.js";
export { registerTools, callTool, DEFAULT_TOOL_TIMEOUT_MS, type RegisterOptions } from "./register-tools.js";
export { createMcpServer, type ServerSpec } from "./create-server.js";
export { serveHttp, serveStdio, type HttpOptions, type RunningHttp } from "./transports.js";
export { parseServerArgs, runServerCli } from "./server-cli.js";
