// The github MCP server's binary: configured from the environment, served over stdio or HTTP.
import { runServerCli } from "../core/server-cli.js";
import { parseGitHubConfig } from "./config.js";
import { githubServer } from "./server.js";

await runServerCli((log) => {
  const config = parseGitHubConfig(process.env);
  if (!config.ok) throw new Error(config.error);
  log.info({ apiUrl: config.value.apiUrl, repositories: config.value.repositories }, "github MCP server configured");
  return githubServer({ ...config.value, log });
});
