import { z } from "zod";
import { defineTool } from "../core/define-tool.js";
import type { GitHubContext } from "./client.js";
import { RepoArg } from "./repo-ref.js";
import { clip } from "./text.js";

const Status = z.object({ state: z.string(), description: z.string().nullable(), createdAt: z.string(), url: z.string().nullable() });
const Deployment = z.object({
  id: z.number(),
  environment: z.string(),
  ref: z.string(),
  sha: z.string(),
  creator: z.string().nullable(),
  createdAt: z.string(),
  description: z.string().nullable(),
  status: Status.nullable(),
});

/** deployments: what was deployed where, and whether it succeeded. */
export const deploymentsTool = (gh: GitHubContext) =>
  defineTool({
    name: "deployments",
    title: "Deployments",
    description: "Lists a repository's GitHub deployments, newest first, each with its latest status (success, failure, in_progress, …): environment, ref, sha, who and when. Filter by environment, e.g. production.",
    input: z.object({
      repo: RepoArg,
      environment: z.string().min(1).max(255).optional().describe("Only deployments to this environment, e.g. production"),
      limit: z.number().int().min(1).max(30).default(10).describe("How many deployments to return, 1-30 (default 10); each costs one more request for its status"),
    }),
    output: z.object({ repo: z.string(), deployments: z.array(Deployment) }),
    kind: "read",
    run: async (args, { signal }) => {
      const { owner, repo } = gh.target(args.repo);
      const { data } = await gh.call(`deployments of ${args.repo}`, () =>
        gh.octokit.rest.repos.listDeployments({ owner, repo, environment: args.environment, per_page: args.limit, request: { signal } }),
      );
      const deployments = await Promise.all(
        data.slice(0, args.limit).map(async (d) => {
          // Statuses come newest first, so the first is the deployment's current state.
          const statuses = await gh.call(`statuses of deployment ${d.id} in ${args.repo}`, () =>
            gh.octokit.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: d.id, per_page: 1, request: { signal } }),
          );
          const s = statuses.data[0];
          return {
            id: d.id,
            environment: d.environment,
            ref: d.ref,
            sha: d.sha,
            creator: d.creator?.login ?? null,
            createdAt: d.created_at,
            description: d.description ? clip(d.description, 300) : null,
            status: s ? { state: s.state, description: s.description ? clip(s.description, 300) : null, createdAt: s.created_at, url: s.log_url || s.target_url || s.environment_url || null } : null,
          };
        }),
      );
      const latest = deployments[0];
      return {
        summary: `${deployments.length} deployments of ${args.repo}${args.environment ? ` to ${args.environment}` : ""}${latest ? `; latest ${latest.ref} to ${latest.environment}: ${latest.status?.state ?? "no status"}` : ""}`,
        data: { repo: args.repo, deployments },
      };
    },
  });
