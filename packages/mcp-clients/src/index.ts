// The public surface of @autodevops/mcp-clients: the toolbox agents reach MCP tools through, its
// configuration, and the caches it can use.
export {
  createMcpToolbox,
  DEFAULT_CALL_TIMEOUT_MS,
  type McpToolbox,
  type ToolboxOptions,
  type ToolInfo,
  type CallOptions,
  type ToolOutput,
  type ToolCallError,
} from "./toolbox.js";
export { toLangChainTools, llmInputSchema } from "./langchain-tools.js";
export { loadMcpServersConfig, formatMcpConfigIssues, type McpConfigIssue, type LoadOptions } from "./config/load-config.js";
export type { McpServersConfig, ServerConfig, ServerSettings, ServerSource, ToolSettings } from "./config/servers-config.js";
export { OWN_SERVER_NAMES, type OwnServerName } from "./config/server-entry.js";
export type { Endpoint } from "./connection/server-connection.js";
export { classifyTool, offerTool, type Agent, type ToolClass, type ToolAnnotations } from "./policy/tool-policy.js";
export { actionOfCall, checkWrite, type WritePermit, type WriteRefusal } from "./policy/write-guard.js";
export { MemoryToolCache } from "./cache/memory-cache.js";
export { RedisToolCache } from "./cache/redis-cache.js";
export { cacheKeyOf, scopeOf, writeAffects, type ToolCache, type CacheScope, type WriteScope } from "./cache/tool-cache.js";
export { defaultTtlMs } from "./cache/ttl.js";
export { redactArgs } from "./audit/redact-args.js";
