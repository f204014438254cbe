import { z } from "zod";
import { defineTool } from "../core/define-tool.js";
import { ToolError } from "../core/tool-error.js";
import { BranchName, ChangeSet, treeEntries } from "./change-set.js";
import type { GitHubContext } from "./client.js";
import { RepoArg, type RepoRef } from "./repo-ref.js";

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
      const target = gh.target(args.repo);
      const { owner, repo } = target;
      const { git, pulls, repos } = gh.octokit.rest;
      const request = { signal };
      // Asked first even with a base given, so an unknown repository is reported as such.
      const repository = await gh.call(`repository ${args.repo}`, () => repos.get({ owner, repo, request }));
      const base = args.base ?? repository.data.default_branch;
      if (await branchExists(gh, target, args.branch, signal)) throw new ToolError(`branch ${args.branch} already exists in ${args.repo}: choose another branch name`);
      const baseRef = await gh.call(`base branch ${base} of ${args.repo}`, () => git.getRef({ owner, repo, ref: `heads/${base}`, request }));
      const baseSha = baseRef.data.object.sha;
      const baseCommit = await gh.call(`commit ${baseSha} of ${args.repo}`, () => git.getCommit({ owner, repo, commit_sha: baseSha, request }));
      const tree = await gh.call(`the change's tree in ${args.repo}`, () => git.createTree({ owner, repo, base_tree: baseCommit.data.tree.sha, tree: treeEntries(args.files), request }));
      const commit = await gh.call(`the change's commit in ${args.repo}`, () =>
        git.createCommit({ owner, repo, message: args.commitMessage ?? args.title, tree: tree.data.sha, parents: [baseSha], request }),
      );
      await gh.call(`branch ${args.branch} in ${args.repo}`, () => git.createRef({ owner, repo, ref: `refs/heads/${args.branch}`, sha: commit.data.sha, request }));
      let pull;
      try {
        // No retry: a retried POST after a lost answer would fail on the pull request it opened.
        pull = await gh.call(`a pull request from ${args.branch} into ${base} of ${args.repo}`, () =>
          pulls.create({ owner, repo, title: args.title, body: args.body, head: args.branch, base, draft: args.draft, request: { signal, retries: 0 } }),
        );
      } catch (e) {
        // Leave nothing half done: without its pull request the branch would only block a retry under the same name.
        const removed = await git.deleteRef({ owner, repo, ref: `heads/${args.branch}` }).then(
          () => true,
          () => false,
        );
        throw new ToolError(`${(e as Error).message}${removed ? `; branch ${args.branch} was removed again` : `; branch ${args.branch} was left behind at ${commit.data.sha}`}`);
      }
      const deleted = args.files.filter((f) => "delete" in f).length;
      return {
        summary: `opened pull request #${pull.data.number} in ${args.repo} (${args.branch} → ${base}): ${pull.data.html_url}`,
        data: { repo: args.repo, number: pull.data.number, url: pull.data.html_url, branch: args.branch, base, commit: commit.data.sha, written: args.files.length - deleted, deleted },
      };
    },
  });

async function branchExists(gh: GitHubContext, { owner, repo }: RepoRef, branch: string, signal: AbortSignal): Promise<boolean> {
  try {
    await gh.octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}`, request: { signal } });
    return true;
  } catch (e) {
    if ((e as { status?: unknown }).status === 404) return false;
    return gh.call(`branch ${branch} of ${owner}/${repo}`, () => Promise.reject(e));
  }
}
