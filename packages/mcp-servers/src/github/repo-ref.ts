import { z } from "zod";
import { ToolError } from "../core/tool-error.js";

/** `owner/name` as GitHub allows them. */
export const REPO_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

/** The `repo` argument every tool takes. */
export const RepoArg = z.string().regex(REPO_NAME, "expected owner/name, e.g. acme/payments").describe("The repository as owner/name, e.g. acme/payments");

export type RepoRef = { owner: string; repo: string };

/**
 * Splits `owner/name` and refuses a repository outside the allowlist (when there is one) before
 * any request is made, so a model cannot reach a repository the operator did not name.
 */
export function repoGuard(allowlist: readonly string[]): (fullName: string) => RepoRef {
  const allowed = new Set(allowlist.map((r) => r.toLowerCase()));
  return (fullName) => {
    if (allowed.size > 0 && !allowed.has(fullName.toLowerCase())) {
      throw new ToolError(`repository ${fullName} is not in this server's allowlist (GITHUB_REPOSITORIES); allowed: ${[...allowed].join(", ")}`);
    }
    const [owner = "", repo = ""] = fullName.split("/");
    return { owner, repo };
  };
}
