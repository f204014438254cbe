import { z } from "zod";
import { defineTool } from "../core/define-tool.js";
import type { GitHubContext } from "./client.js";
import { RepoArg } from "./repo-ref.js";
import { clip } from "./text.js";

/** Files read for a pull request's summary (GitHub lists at most 3000); counts beyond it are GitHub's totals. */
const MAX_FILES_READ = 1000;
/** Files named one by one in the result, the largest changes first. */
const MAX_FILES_LISTED = 100;

const PullSummary = z.object({
  number: z.number(),
  title: z.string(),
  author: z.string().nullable(),
  state: z.string(),
  draft: z.boolean(),
  merged: z.boolean(),
  mergedAt: z.string().nullable(),
  createdAt: z.string(),
  head: z.string(),
  base: z.string(),
  url: z.string(),
});

/** pull_requests: open, recently closed or merged pull requests. */
export const pullRequestsTool = (gh: GitHubContext) =>
  defineTool({
    name: "pull_requests",
    title: "Pull requests",
    description: "Lists a repository's pull requests, newest first: number, title, author, whether and when it was merged, head and base branches, and a link. state=closed includes merged ones.",
    input: z.object({
      repo: RepoArg,
      state: z.enum(["open", "closed", "all"]).default("open").describe("open (default), closed (includes merged) or all"),
      base: z.string().min(1).max(255).optional().describe("Only pull requests into this branch, e.g. main"),
      limit: z.number().int().min(1).max(100).default(20).describe("How many pull requests to return, 1-100 (default 20)"),
    }),
    output: z.object({ repo: z.string(), state: z.string(), pulls: z.array(PullSummary) }),
    kind: "read",
    run: async (args, { signal }) => {
      const { owner, repo } = gh.target(args.repo);
      const { data } = await gh.call(`pull requests of ${args.repo}`, () =>
        gh.octokit.rest.pulls.list({ owner, repo, state: args.state, base: args.base, per_page: args.limit, request: { signal } }),
      );
      const pulls = data.slice(0, args.limit).map((p) => ({
        number: p.number,
        title: clip(p.title, 200),
        author: p.user?.login ?? null,
        state: p.state,
        draft: p.draft ?? false,
        merged: p.merged_at !== null,
        mergedAt: p.merged_at,
        createdAt: p.created_at,
        head: p.head.ref,
        base: p.base.ref,
        url: p.html_url,
      }));
      const merged = pulls.filter((p) => p.merged).length;
      return { summary: `${pulls.length} ${args.state} pull requests in ${args.repo}${merged ? ` (${merged} merged)` : ""}`, data: { repo: args.repo, state: args.state, pulls } };
    },
  });

const FileChange = z.object({ path: z.string(), status: z.string(), additions: z.number(), deletions: z.number(), previousPath: z.string().optional() });

/** get_pull_request: one pull request with a summary of the files it changes. */
export const getPullRequestTool = (gh: GitHubContext) =>
  defineTool({
    name: "get_pull_request",
    title: "Get a pull request",
    description: "One pull request in detail: title, description (clipped), author, state, merge time and who merged it, head and base, size, and the files it changes (counts by status and the largest changes by path).",
    input: z.object({
      repo: RepoArg,
      number: z.number().int().min(1).describe("The pull request's number, e.g. 42"),
    }),
    output: z.object({
      ...PullSummary.shape,
      body: z.string().nullable(),
      mergedBy: z.string().nullable(),
      headSha: z.string(),
      commits: z.number(),
      additions: z.number(),
      deletions: z.number(),
      changedFiles: z.number(),
      files: z.object({ byStatus: z.record(z.string(), z.number()), listed: z.array(FileChange), truncated: z.boolean() }),
    }),
    kind: "read",
    run: async (args, { signal }) => {
      const { owner, repo } = gh.target(args.repo);
      const what = `pull request #${args.number} of ${args.repo}`;
      const { data: p } = await gh.call(what, () => gh.octokit.rest.pulls.get({ owner, repo, pull_number: args.number, request: { signal } }));
      const files = await gh.call(`files of ${what}`, async () => {
        const out: { filename: string; status: string; additions: number; deletions: number; previous_filename?: string }[] = [];
        for await (const page of gh.octokit.paginate.iterator(gh.octokit.rest.pulls.listFiles, { owner, repo, pull_number: args.number, per_page: 100, request: { signal } })) {
          out.push(...page.data);
          if (out.length >= MAX_FILES_READ) break;
        }
        return out;
      });
      const byStatus: Record<string, number> = {};
      for (const f of files) byStatus[f.status] = (byStatus[f.status] ?? 0) + 1;
      const listed = [...files]
        .sort((a, b) => b.additions + b.deletions - (a.additions + a.deletions))
        .slice(0, MAX_FILES_LISTED)
        .map((f) => ({ path: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, ...(f.previous_filename ? { previousPath: f.previous_filename } : {}) }));
      const merged = p.merged || p.merged_at !== null;
      return {
        summary: `#${p.number} ${clip(p.title, 200)} (${merged ? `merged ${p.merged_at ?? ""}`.trim() : p.state}): ${p.changed_files} files, +${p.additions} −${p.deletions}`,
        data: {
          number: p.number,
          title: clip(p.title, 200),
          author: p.user?.login ?? null,
          state: p.state,
          draft: p.draft ?? false,
          merged,
          mergedAt: p.merged_at,
          createdAt: p.created_at,
          head: p.head.ref,
          base: p.base.ref,
          url: p.html_url,
          body: p.body ? clip(p.body, 4000) : null,
          mergedBy: p.merged_by?.login ?? null,
          headSha: p.head.sha,
          commits: p.commits,
          additions: p.additions,
          deletions: p.deletions,
          changedFiles: p.changed_files,
          files: { byStatus, listed, truncated: files.length < p.changed_files || files.length > listed.length },
        },
      };
    },
  });
