import { z } from "zod";
import { defineTool } from "../core/define-tool.js";
import { BranchName, ChangeSet } from "./change-set.js";
import type { GitHubContext } from "./client.js";
import { openPullRequestFromChanges } from "./pull-request-from-changes.js";
import { RepoArg } from "./repo-ref.js";

/**
 * open_pull_request_from_changes: a change set as a reviewable pull request (the GitOps path:
 * merging it is the approval). One commit on a new branch, made with the Git Data API.
 */
export const openPullRequestFromChangesTool = (gh: GitHubContext) =>
  defineTool({
    name: "open_pull_request_from_changes",
    title: "Open a pull request from a change set",
    description:
      "Commits a set of file changes (write or delete, at most 50 files) to a new branch cut from the base branch, then opens a pull request from it. Refuses if the branch already exists. Returns the pull request's number and link, the branch and the commit.",
    input: z.object({
      repo: RepoArg,
      base: z.string().min(1).max(255).optional().describe("The branch to change and to merge into; the repository's default branch when left out"),
      branch: BranchName,
      title: z.string().trim().min(1).max(256).describe("The pull request's title (also the commit's first line)"),
      body: z.string().max(65_536).default("").describe("The pull request's description in Markdown: the reason, the evidence, what to check"),
      commitMessage: z.string().trim().min(1).max(4000).optional().describe("The commit message; the title when left out"),
      draft: z.boolean().default(false).describe("Open the pull request as a draft"),
      files: ChangeSet,
    }),
    output: z.object({ repo: z.string(), number: z.number(), url: z.string(), branch: z.string(), base: z.string(), commit: z.string(), written: z.number(), deleted: z.number() }),
    kind: "write",
    idempotent: false,
    timeoutMs: 60_000,
    run: async (args, { signal }) => {
      const opened = await openPullRequestFromChanges(gh, gh.target(args.repo), args, signal);
      return {
        summary: `opened pull request #${opened.number} in ${args.repo} (${opened.branch} → ${opened.base}): ${opened.url}`,
        data: { repo: args.repo, ...opened },
      };
    },
  });
