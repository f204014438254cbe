import { Octokit } from "octokit";
import type { Logger } from "@autodevops/shared";
import { toToolError } from "./errors.js";
import { repoGuard, type RepoRef } from "./repo-ref.js";

/** Waiting longer than this for a rate limit to reset would outlast a tool call: fail with the reset time instead. */
const MAX_RATE_LIMIT_WAIT_S = 5;

export type GitHubClientOptions = {
  token: string;
  apiUrl: string;
  repositories: readonly string[];
  log: Pick<Logger, "info" | "warn">;
  /** The clock rate-limit messages count from; tests may fix it. */
  now?: () => Date;
};

/** What every github tool uses: the Octokit client, the repository guard, and GitHub failures as tool errors. */
export type GitHubContext = {
  octokit: Octokit;
  /** `owner/name` split, refused (before any request) when outside the allowlist. */
  target(fullName: string): RepoRef;
  /** Runs GitHub calls; a failure becomes a ToolError that names `what` and GitHub's status and message. */
  call<T>(what: string, fn: () => Promise<T>): Promise<T>;
};

/** Octokit with the throttling and retry plugins it bundles, tuned so that no call outlives a tool's time limit. */
export function createGitHubContext(opts: GitHubClientOptions): GitHubContext {
  const { log } = opts;
  const limitReached = (kind: string) => (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    const retry = retryCount === 0 && retryAfter <= MAX_RATE_LIMIT_WAIT_S;
    log.warn({ method: options.method, url: options.url, retryAfter, retry }, kind);
    return retry;
  };
  const octokit = new Octokit({
    auth: opts.token,
    baseUrl: opts.apiUrl,
    userAgent: "autodevops-mcp-github",
    log: { debug: () => undefined, info: () => undefined, warn: (message: string) => log.warn({ octokit: message }, "octokit warning"), error: (message: string) => log.warn({ octokit: message }, "octokit error") },
    throttle: { onRateLimit: limitReached("GitHub rate limit reached"), onSecondaryRateLimit: limitReached("GitHub secondary rate limit reached") },
    // Two retries of a 5xx (after 1 s, then 4 s) fit in a tool call's time. The plugin's own list
    // leaves 405 and 409 retryable; on GitHub they are answers (not mergeable, head modified, a
    // conflict), so no 4xx is retried.
    retry: { retries: 2, doNotRetry: [400, 401, 403, 404, 405, 409, 410, 422, 451] },
  });
  const ctx = { apiUrl: opts.apiUrl, secrets: [opts.token] };
  const now = opts.now ?? (() => new Date());
  return {
    octokit,
    target: repoGuard(opts.repositories),
    async call(what, fn) {
      try {
        return await fn();
      } catch (e) {
        throw toToolError(e, what, { ...ctx, now: now() });
      }
    },
  };
}
