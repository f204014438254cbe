import { ToolError } from "../core/tool-error.js";
import { treeEntries, type ChangeSet } from "./change-set.js";
import type { GitHubContext } from "./client.js";
import type { RepoRef } from "./repo-ref.js";

export type PullRequestFromChanges = {
  base?: string | undefined;
  branch: string;
  title: string;
  body: string;
  commitMessage?: string | undefined;
  draft?: boolean;
  files: ChangeSet;
};

export type OpenedPullRequest = { number: number; url: string; branch: string; base: string; commit: string; written: number; deleted: number };

/**
 * A change set as a reviewable pull request: one commit on a new branch cut from the base (Git
 * Data API), then the pull request. Refuses a branch that exists; leaves no branch behind when the
 * pull request cannot be opened. Shared by the github MCP tool and Scarlet's GitOps path.
 */
export async function openPullRequestFromChanges(gh: GitHubContext, target: RepoRef, args: PullRequestFromChanges, signal?: AbortSignal): Promise<OpenedPullRequest> {
  const { owner, repo } = target;
  const fullName = `${owner}/${repo}`;
  const { git, pulls, repos } = gh.octokit.rest;
  const request = signal ? { signal } : {};
  // Asked first even with a base given, so an unknown repository is reported as such.
  const repository = await gh.call(`repository ${fullName}`, () => repos.get({ owner, repo, request }));
  const base = args.base ?? repository.data.default_branch;
  if (await branchExists(gh, target, args.branch, signal)) throw new ToolError(`branch ${args.branch} already exists in ${fullName}: choose another branch name`);
  const baseRef = await gh.call(`base branch ${base} of ${fullName}`, () => git.getRef({ owner, repo, ref: `heads/${base}`, request }));
  const baseSha = baseRef.data.object.sha;
  const baseCommit = await gh.call(`commit ${baseSha} of ${fullName}`, () => git.getCommit({ owner, repo, commit_sha: baseSha, request }));
  const tree = await gh.call(`the change's tree in ${fullName}`, () => git.createTree({ owner, repo, base_tree: baseCommit.data.tree.sha, tree: treeEntries(args.files), request }));
  const commit = await gh.call(`the change's commit in ${fullName}`, () => git.createCommit({ owner, repo, message: args.commitMessage ?? args.title, tree: tree.data.sha, parents: [baseSha], request }));
  await gh.call(`branch ${args.branch} in ${fullName}`, () => git.createRef({ owner, repo, ref: `refs/heads/${args.branch}`, sha: commit.data.sha, request }));
  let pull;
  try {
    // No retry: a retried POST after a lost answer would fail on the pull request it opened.
    pull = await gh.call(`a pull request from ${args.branch} into ${base} of ${fullName}`, () =>
      pulls.create({ owner, repo, title: args.title, body: args.body, head: args.branch, base, draft: args.draft ?? false, request: { ...request, retries: 0 } }),
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
  return { number: pull.data.number, url: pull.data.html_url, branch: args.branch, base, commit: commit.data.sha, written: args.files.length - deleted, deleted };
}

export async function branchExists(gh: GitHubContext, { owner, repo }: RepoRef, branch: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await gh.octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}`, request: signal ? { signal } : {} });
    return true;
  } catch (e) {
    if ((e as { status?: unknown }).status === 404) return false;
    return gh.call(`branch ${branch} of ${owner}/${repo}`, () => Promise.reject(e));
  }
}
