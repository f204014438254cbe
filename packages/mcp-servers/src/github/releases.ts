import { z } from "zod";
import { defineTool } from "../core/define-tool.js";
import type { GitHubContext } from "./client.js";
import { RepoArg } from "./repo-ref.js";

const Release = z.object({ tag: z.string(), name: z.string().nullable(), draft: z.boolean(), prerelease: z.boolean(), publishedAt: z.string().nullable(), author: z.string(), url: z.string() });

/** releases: which versions shipped, and when. */
export const releasesTool = (gh: GitHubContext) =>
  defineTool({
    name: "releases",
    title: "Releases",
    description: "Lists a repository's releases, newest first: tag, name, draft or prerelease, when it was published and a link. Use it to line a regression up with the version that shipped before it.",
    input: z.object({
      repo: RepoArg,
      limit: z.number().int().min(1).max(100).default(10).describe("How many releases to return, 1-100 (default 10)"),
    }),
    output: z.object({ repo: z.string(), releases: z.array(Release) }),
    kind: "read",
    run: async (args, { signal }) => {
      const { owner, repo } = gh.target(args.repo);
      const { data } = await gh.call(`releases of ${args.repo}`, () => gh.octokit.rest.repos.listReleases({ owner, repo, per_page: args.limit, request: { signal } }));
      const releases = data.slice(0, args.limit).map((r) => ({ tag: r.tag_name, name: r.name, draft: r.draft, prerelease: r.prerelease, publishedAt: r.published_at, author: r.author.login, url: r.html_url }));
      return { summary: `${releases.length} releases of ${args.repo}${releases[0] ? `; latest ${releases[0].tag}` : ""}`, data: { repo: args.repo, releases } };
    },
  });
