import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readRoutes, type Route } from "./read-routes.js";
import { RepoState } from "./repo-state.js";
import type { Origin } from "./shapes.js";
import { writeRoutes } from "./write-routes.js";
import { GitHubApiError, notFound, type StandInResponse } from "./wire.js";

export type GitHubStandInOptions = {
  /** The bot's token (as `token X` or `Bearer X`); `users` may add more. */
  token: string;
  /** The login that token belongs to (author of the issues, commits and pull requests it creates). */
  login?: string;
  /** More accounts, token to login, so a test can act as someone else (a human reviewer merging, say). */
  users?: Record<string, string>;
  /** Requests allowed per window, as GitHub's primary rate limit counts them. */
  rateLimit?: number;
  now?: () => Date;
};

export type RecordedRequest = { method: string; path: string; query: string };

export type GitHubStandIn = {
  /** The API base URL to give Octokit (`baseUrl`). */
  url: string;
  /** Every request received, in order, without its headers. */
  requests: RecordedRequest[];
  addRepo(fullName: string, opts?: { defaultBranch?: string }): RepoState;
  repo(fullName: string): RepoState;
  /** Sets what is left of the rate limit, and when it resets. */
  setRateLimit(remaining: number, resetAt?: Date): void;
  /** Answers the next request matching `method` and `path` with this error instead (once), as GitHub would on a fault. */
  failNext(method: string, path: RegExp, status: number, message: string): void;
  close(): Promise<void>;
};

const ROUTES: Route[] = [...readRoutes, ...writeRoutes];
const REPO_PATH = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/;

/**
 * A local stand-in of GitHub's REST API for exactly what our Octokit code calls (the github MCP server, the GitOps path), speaking
 * the real wire protocol (auth, JSON errors, `Link` pagination, `x-ratelimit-*`), over in-memory
 * repositories whose git objects are real enough that a pull request's branch holds its files.
 */
export async function startGitHubStandIn(opts: GitHubStandInOptions): Promise<GitHubStandIn> {
  const now = opts.now ?? (() => new Date());
  // Whoever's token came is the acting login; the bot's own token wins over a `users` entry for it.
  const logins = new Map([...Object.entries(opts.users ?? {}), [opts.token, opts.login ?? "autodevops-bot"]]);
  const repos = new Map<string, RepoState>();
  const requests: RecordedRequest[] = [];
  const limit = opts.rateLimit ?? 5000;
  let remaining = limit;
  let resetAt = new Date(now().getTime() + 3600_000);
  let origin: Origin = { api: "", web: "" };
  const faults: { method: string; path: RegExp; status: number; message: string }[] = [];

  function answer(req: IncomingMessage, body: string): StandInResponse {
    const url = new URL(req.url ?? "/", origin.api);
    requests.push({ method: req.method ?? "GET", path: url.pathname, query: url.search });
    const auth = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (auth === undefined) throw new GitHubApiError(401, "Requires authentication");
    const login = logins.get(auth);
    if (login === undefined) throw new GitHubApiError(401, "Bad credentials");
    if (remaining <= 0) throw new GitHubApiError(403, "API rate limit exceeded for user ID 1.", undefined, "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api");
    remaining--;
    const fault = faults.findIndex((f) => f.method === req.method && f.path.test(url.pathname));
    if (fault >= 0) {
      const [f] = faults.splice(fault, 1);
      if (f) throw new GitHubApiError(f.status, f.message);
    }
    const m = REPO_PATH.exec(url.pathname);
    const repo = m ? repos.get(`${decodeURIComponent(m[1] ?? "")}/${decodeURIComponent(m[2] ?? "")}`.toLowerCase()) : undefined;
    if (!m || !repo) throw notFound();
    const rest = m[3] ?? "";
    const route = ROUTES.map((r) => ({ r, match: r.method === req.method ? r.pattern.exec(rest) : null })).find((x) => x.match);
    if (!route?.match) throw notFound();
    let parsed: unknown;
    try {
      parsed = body ? JSON.parse(body) : undefined;
    } catch {
      throw new GitHubApiError(400, "Problems parsing JSON");
    }
    return route.r.handle({ method: req.method ?? "GET", url, params: route.match.slice(1).map((p) => decodeURIComponent(p ?? "")), body: parsed, login, repo }, origin);
  }

  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let out: StandInResponse;
      try {
        out = answer(req, Buffer.concat(chunks).toString("utf8"));
      } catch (e) {
        out = e instanceof GitHubApiError ? { status: e.status, body: e.body } : { status: 500, body: { message: `stand-in bug: ${String(e)}` } };
      }
      send(res, out);
    });
  });

  function send(res: ServerResponse, out: StandInResponse) {
    const headers: Record<string, string> = {
      "x-github-request-id": randomUUID(),
      "x-github-media-type": "github.v3; format=json",
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(Math.max(remaining, 0)),
      "x-ratelimit-used": String(limit - Math.max(remaining, 0)),
      "x-ratelimit-reset": String(Math.floor(resetAt.getTime() / 1000)),
      "x-ratelimit-resource": "core",
      ...out.headers,
    };
    if (out.body === undefined) return void res.writeHead(out.status, headers).end();
    res.writeHead(out.status, { ...headers, "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(out.body));
  }

  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  origin = { api: base, web: `${base}/web` };

  return {
    url: base,
    requests,
    addRepo(fullName, o = {}) {
      const [owner = "", name = ""] = fullName.split("/");
      const repo = new RepoState(owner, name, o.defaultBranch ?? "main", now);
      repos.set(fullName.toLowerCase(), repo);
      return repo;
    },
    repo(fullName) {
      const repo = repos.get(fullName.toLowerCase());
      if (!repo) throw new Error(`no repo ${fullName} in the stand-in`);
      return repo;
    },
    setRateLimit(left, at) {
      remaining = left;
      if (at) resetAt = at;
    },
    failNext(method, path, status, message) {
      faults.push({ method, path, status, message });
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
