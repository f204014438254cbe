import { z } from "zod";
import { err, ok, type Result } from "@autodevops/shared";
import { REPO_NAME } from "./repo-ref.js";

/** The github server's environment; GITHUB_TOKEN is never echoed in a message. */
const GitHubEnv = z.object({
  GITHUB_TOKEN: z
    .string({ error: "GITHUB_TOKEN is required: a GitHub token that can read the repositories (and open issues and pull requests for the write tools)" })
    .trim()
    .min(1, "GITHUB_TOKEN is empty: set a GitHub token"),
  // An empty variable (GITHUB_API_URL= in a .env file) means the default, as if unset.
  GITHUB_API_URL: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.url({ protocol: /^https?$/, error: "GITHUB_API_URL: expected an http:// or https:// URL, e.g. https://github.example.com/api/v3" }).default("https://api.github.com"),
  ),
  GITHUB_REPOSITORIES: z
    .string()
    .optional()
    .transform((s) => (s ?? "").split(",").map((r) => r.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(REPO_NAME, "GITHUB_REPOSITORIES: expected a comma-separated list of owner/name, e.g. acme/payments,acme/deploy"))),
});

export type GitHubConfig = {
  token: string;
  /** REST API base: https://api.github.com, a GitHub Enterprise `/api/v3`, or a stand-in. */
  apiUrl: string;
  /** When not empty, the only repositories the tools touch (`owner/name`, compared case-insensitively). */
  repositories: string[];
};

/** Reads the server's configuration; a bad environment is one message naming every bad variable. */
export function parseGitHubConfig(env: Record<string, string | undefined>): Result<GitHubConfig, string> {
  const parsed = GitHubEnv.safeParse(env);
  if (!parsed.success) return err(`github MCP server: bad configuration\n${[...new Set(parsed.error.issues.map((i) => `  - ${i.message}`))].join("\n")}`);
  const e = parsed.data;
  return ok({ token: e.GITHUB_TOKEN, apiUrl: e.GITHUB_API_URL.replace(/\/+$/, ""), repositories: e.GITHUB_REPOSITORIES });
}
