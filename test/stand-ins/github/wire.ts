import type { RepoState } from "./repo-state.js";

/** A request as the routes see it: authenticated already, body parsed. */
export type StandInRequest = {
  method: string;
  url: URL;
  params: string[];
  body: unknown;
  /** The login the token belongs to. */
  login: string;
  repo: RepoState;
};

export type StandInResponse = { status: number; body: unknown; headers?: Record<string, string> };

const DOCS = "https://docs.github.com/rest";

/** An error answered in GitHub's JSON shape: `{ message, documentation_url, status[, errors] }`. */
export class GitHubApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, unknown>[],
    readonly docs = DOCS,
  ) {
    super(message);
  }
  get body(): Record<string, unknown> {
    return { message: this.message, ...(this.errors ? { errors: this.errors } : {}), documentation_url: this.docs, status: String(this.status) };
  }
}

export const notFound = (docs = DOCS) => new GitHubApiError(404, "Not Found", undefined, docs);

/** 422 "Validation Failed" with GitHub's per-field errors. */
export const validationFailed = (resource: string, errors: { field?: string; code: string; message?: string }[]) =>
  new GitHubApiError(422, "Validation Failed", errors.map((e) => ({ resource, ...e })));

/** `items` for the page the query asks for, with GitHub's `Link` header (first/prev/next/last). */
export function page<T>(url: URL, items: readonly T[], serialise: (item: T) => unknown): StandInResponse {
  const perPage = Math.min(Math.max(Number(url.searchParams.get("per_page") ?? 30) || 30, 1), 100);
  const pageNo = Math.max(Number(url.searchParams.get("page") ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (n: number, rel: string) => {
    const u = new URL(url);
    u.searchParams.set("per_page", String(perPage));
    u.searchParams.set("page", String(n));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const links = [...(pageNo < last ? [link(pageNo + 1, "next"), link(last, "last")] : []), ...(pageNo > 1 ? [link(1, "first"), link(pageNo - 1, "prev")] : [])];
  return { status: 200, body: items.slice((pageNo - 1) * perPage, pageNo * perPage).map(serialise), ...(links.length ? { headers: { link: links.join(", ") } } : {}) };
}

/** Reads a JSON body's field as a string, or answers 422 naming it. */
export function stringField(body: unknown, field: string, resource: string, opts: { optional: true }): string | undefined;
export function stringField(body: unknown, field: string, resource: string): string;
export function stringField(body: unknown, field: string, resource: string, opts?: { optional: true }): string | undefined {
  const v = body && typeof body === "object" ? (body as Record<string, unknown>)[field] : undefined;
  if (v === undefined || v === null) {
    if (opts?.optional) return undefined;
    throw validationFailed(resource, [{ field, code: "missing_field" }]);
  }
  if (typeof v !== "string") throw validationFailed(resource, [{ field, code: "invalid" }]);
  return v;
}
