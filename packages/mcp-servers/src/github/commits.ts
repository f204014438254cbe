import { z } from "zod";
import { defineTool } from "../core/define-tool.js";
import type { GitHubContext } from "./client.js";
import { RepoArg } from "./repo-ref.js";
import { firstLine } from "./text.js";

const Commit = z.object({ sha: z.string(), author: z.string(), date: z.string(), message: z.string(), url: z.string() });

/** recent_commits: what changed lately, on a branch or under a path. */
export const recentCommitsTool = (gh: GitHubContext) =>
  defineTool({
    name: "recent_commits",
    title: "Recent commits",
    description: "Lists a repository's most recent commits, newest first: sha, author, date, the message's first line and a link. Narrow with a branch or sha, a start time, or a path (e.g. the manifests of one service) to see what changed before an incident.",
    input: z.object({
      repo: RepoArg,
      ref: z.string().min(1).max(255).optional().describe("Branch, tag or commit SHA to list back from; the repository's default branch when left out"),
      since: z.iso.datetime({ offset: true }).optional().describe("Only commits after this time, ISO 8601, e.g. 2024-05-01T12:00:00Z"),
      path: z.string().min(1).max(1024).optional().describe("Only commits that touch this file or folder, e.g. deploy/payments"),
      limit: z.number().int().min(1).max(100).default(20).describe("How many commits to return, 1-100 (default 20)"),
    }),
    output: z.object({ repo: z.string(), ref: z.string().nullable(), commits: z.array(Commit) }),
    kind: "read",
    run: async (args, { signal }) => {
      const { owner, repo } = gh.target(args.repo);
      const { data } = await gh.call(`commits of ${args.repo}${args.ref ? `@${args.ref}` : ""}`, () =>
        gh.octokit.rest.repos.listCommits({ owner, repo, sha: args.ref, since: args.since, path: args.path, per_page: args.limit, request: { signal } }),
      );
      const commits = data.slice(0, args.limit).map((c) => ({
        sha: c.sha,
        author: c.author?.login ?? c.commit.author?.name ?? "unknown",
        date: c.commit.author?.date ?? c.commit.committer?.date ?? "",
        message: firstLine(c.commit.message),
        url: c.html_url,
      }));
      const where = [args.ref && `on ${args.ref}`, args.path && `touching ${args.path}`, args.since && `since ${args.since}`].filter(Boolean).join(" ");
      return { summary: `${commits.length} recent commits in ${args.repo}${where ? ` ${where}` : ""}`, data: { repo: args.repo, ref: args.ref ?? null, commits } };
    },
  });
