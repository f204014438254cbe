import { ToolError } from "../core/tool-error.js";

type HttpFailure = {
  status: number;
  message: string;
  response?: { headers: Record<string, string | number | undefined>; data: unknown } | undefined;
};

/** Octokit's RequestError, recognised by shape (its class may come from more than one copy of the package). */
function isRequestError(e: unknown): e is HttpFailure & Error {
  return e instanceof Error && e.name === "HttpError" && typeof (e as { status?: unknown }).status === "number";
}

/**
 * A failed GitHub call as a tool error a model can act on: GitHub's status and message, what the
 * call was about, and for a rate limit when it resets. `secrets` (the token) never survive in it.
 */
export function toToolError(e: unknown, what: string, ctx: { apiUrl: string; secrets: readonly string[]; now: Date }): ToolError {
  return new ToolError(redact(describe(e, what, ctx), ctx.secrets));
}

function describe(e: unknown, what: string, ctx: { apiUrl: string; now: Date }): string {
  if (e instanceof ToolError) return e.message;
  if (!isRequestError(e)) return `GitHub call for ${what} failed: ${e instanceof Error ? e.message : String(e)}`;
  if (!e.response) return `GitHub is unreachable at ${ctx.apiUrl} (${e.message}); try again later`;
  const headers = e.response.headers;
  const said = githubMessage(e);
  switch (e.status) {
    case 401:
      return `GitHub rejected the token (401 ${said}): check GITHUB_TOKEN`;
    case 403:
    case 429: {
      if (headers["x-ratelimit-remaining"] === "0") {
        const reset = new Date(Number(headers["x-ratelimit-reset"]) * 1000);
        const mins = Math.max(Math.ceil((reset.getTime() - ctx.now.getTime()) / 60_000), 0);
        return `GitHub API rate limit exhausted (${e.status} ${said}); it resets at ${reset.toISOString()} (in ${mins} min): retry after that`;
      }
      if (/secondary rate/i.test(said) || headers["retry-after"] !== undefined) {
        return `GitHub secondary rate limit (${e.status} ${said}): retry after ${headers["retry-after"] ?? 60} s and make fewer calls at once`;
      }
      return `GitHub refused ${what} (${e.status} ${said}): the token lacks the permission`;
    }
    case 404:
      return `${what} not found on GitHub (404 ${said}), or the token cannot see it`;
    case 409:
      return `GitHub reports a conflict for ${what} (409 ${said})`;
    case 422:
      return `GitHub rejected ${what} (422 ${said})`;
    default:
      return `GitHub answered ${e.status} for ${what}: ${said}`;
  }
}

/** GitHub's `message` and its per-field `errors`, without the documentation link Octokit appends. */
function githubMessage(e: HttpFailure): string {
  const data = e.response?.data as { message?: unknown; errors?: unknown } | undefined;
  if (typeof data?.message !== "string") return e.message;
  const errors = Array.isArray(data.errors) ? data.errors.map(fieldError) : [];
  return errors.length ? `${data.message}: ${errors.join("; ")}` : data.message;
}

/** One entry of GitHub's `errors`: a string, or `{ message }`, or `{ field, code }` ("head invalid"). */
function fieldError(x: unknown): string {
  if (typeof x === "string") return x;
  if (typeof x !== "object" || x === null) return String(x);
  const { message, field, code } = x as { message?: unknown; field?: unknown; code?: unknown };
  if (typeof message === "string") return message;
  return [field, code].filter((v) => typeof v === "string").join(" ") || JSON.stringify(x);
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((t, s) => t.split(s).join("[redacted]"), text);
}
