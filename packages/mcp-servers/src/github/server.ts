import type { Logger } from "@autodevops/shared";
import type { ServerSpec } from "../core/create-server.js";
import { createGitHubContext } from "./client.js";
import { recentCommitsTool } from "./commits.js";
import type { GitHubConfig } from "./config.js";
import { deploymentsTool } from "./deployments.js";
import { openIssueTool } from "./issues.js";
import { openPullRequestFromChangesTool } from "./open-pull-request.js";
import { getPullRequestTool, pullRequestsTool } from "./pulls.js";
import { releasesTool } from "./releases.js";

export type GitHubServerOptions = GitHubConfig & { log: Pick<Logger, "info" | "warn">; now?: () => Date };

/** The github MCP server: recent history of a repository (read) and issues and pull requests (write). */
export function githubServer(opts: GitHubServerOptions): ServerSpec {
  const gh = createGitHubContext(opts);
  const scope = opts.repositories.length ? ` This server only touches ${opts.repositories.join(", ")}.` : "";
  return {
    name: "autodevops-github",
    version: "0.1.0",
    instructions:
      "GitHub for incident work: what changed lately (recent_commits, pull_requests, get_pull_request, releases, deployments) and changes for people to review (open_issue, open_pull_request_from_changes). Every tool takes repo as owner/name." +
      scope,
    tools: [recentCommitsTool(gh), pullRequestsTool(gh), getPullRequestTool(gh), deploymentsTool(gh), releasesTool(gh), openIssueTool(gh), openPullRequestFromChangesTool(gh)],
  };
}
