import { z } from "zod";
import { defineTool } from "../core/define-tool.js";
import type { GitHubContext } from "./client.js";
import { RepoArg } from "./repo-ref.js";

/** open_issue: report something for people to follow up (a postmortem, a finding that needs a person). */
export const openIssueTool = (gh: GitHubContext) =>
  defineTool({
    name: "open_issue",
    title: "Open an issue",
    description: "Opens an issue in a repository with a title, a Markdown body and optional labels (created if missing, when the token may). Returns its number and link.",
    input: z.object({
      repo: RepoArg,
      title: z.string().trim().min(1).max(256).describe("The issue's title, one line"),
      body: z.string().max(65_536).default("").describe("The issue's body in Markdown (at most 65 536 characters)"),
      labels: z.array(z.string().trim().min(1).max(50)).max(20).optional().describe("Labels to put on the issue, e.g. [\"incident\", \"postmortem\"]"),
    }),
    output: z.object({ repo: z.string(), number: z.number(), url: z.string(), title: z.string(), labels: z.array(z.string()) }),
    kind: "write",
    idempotent: false,
    run: async (args, { signal }) => {
      const { owner, repo } = gh.target(args.repo);
      const { data } = await gh.call(`a new issue in ${args.repo}`, () =>
        // No retry: a retried POST after a lost answer would open the issue twice.
        gh.octokit.rest.issues.create({ owner, repo, title: args.title, body: args.body, labels: args.labels, request: { signal, retries: 0 } }),
      );
      const labels = data.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter(Boolean);
      return { summary: `opened issue #${data.number} in ${args.repo}: ${data.html_url}`, data: { repo: args.repo, number: data.number, url: data.html_url, title: data.title, labels } };
    },
  });
