// The public surface of @autodevops/mcp-servers: the shared core, and one spec builder per server
// (each server's folder adds its line here).
export * from "./core/index.js";
