import { commitJson, deploymentJson, deploymentStatusJson, fileJson, fullPullJson, pullJson, refJson, releaseJson, repoJson, type Origin } from "./shapes.js";
import { GitHubApiError, notFound, page, type StandInRequest, type StandInResponse } from "./wire.js";

/** A route under /repos/{owner}/{repo}: `pattern` matches the rest of the path; its groups become `params`. */
export type Route = { method: string; pattern: RegExp; handle(req: StandInRequest, origin: Origin): StandInResponse };

const ok = (body: unknown): StandInResponse => ({ status: 200, body });
const byNewest = <T extends { createdAt: string }>(items: readonly T[]) => [...items].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));

export const readRoutes: Route[] = [
  { method: "GET", pattern: /^$/, handle: (req, o) => ok(repoJson(o, req.repo)) },
  {
    method: "GET",
    pattern: /^\/commits$/,
    handle: ({ repo, url }, o) => {
      const from = url.searchParams.get("sha") ?? repo.defaultBranch;
      const sha = repo.resolve(from);
      if (!sha) throw new GitHubApiError(404, `No commit found for SHA: ${from}`, undefined, "https://docs.github.com/rest/commits/commits#list-commits");
      const since = url.searchParams.get("since");
      const until = url.searchParams.get("until");
      const path = url.searchParams.get("path");
      const commits = repo.git
        .history(sha)
        .filter((c) => (!since || c.committer.date >= since) && (!until || c.committer.date <= until) && (!path || repo.git.touches(c, path)));
      return page(url, commits, (c) => commitJson(o, repo, c));
    },
  },
  {
    method: "GET",
    pattern: /^\/pulls$/,
    handle: ({ repo, url }, o) => {
      const state = url.searchParams.get("state") ?? "open";
      const base = url.searchParams.get("base");
      const pulls = byNewest(repo.pulls).filter((p) => (state === "all" || p.state === state) && (!base || p.base.ref === base));
      return page(url, pulls, (p) => pullJson(o, repo, p));
    },
  },
  {
    method: "GET",
    pattern: /^\/pulls\/(\d+)$/,
    handle: ({ repo, params }, o) => {
      const pull = repo.pulls.find((p) => p.number === Number(params[0]));
      if (!pull) throw notFound("https://docs.github.com/rest/pulls/pulls#get-a-pull-request");
      return ok(fullPullJson(o, repo, pull));
    },
  },
  {
    method: "GET",
    pattern: /^\/pulls\/(\d+)\/files$/,
    handle: ({ repo, params, url }, o) => {
      const pull = repo.pulls.find((p) => p.number === Number(params[0]));
      if (!pull) throw notFound("https://docs.github.com/rest/pulls/pulls#list-pull-requests-files");
      return page(url, repo.pullFiles(pull), (f) => fileJson(o, repo, f));
    },
  },
  {
    method: "GET",
    pattern: /^\/deployments$/,
    handle: ({ repo, url }, o) => {
      const env = url.searchParams.get("environment");
      return page(url, byNewest(repo.deployments).filter((d) => !env || d.environment === env), (d) => deploymentJson(o, repo, d));
    },
  },
  {
    method: "GET",
    pattern: /^\/deployments\/(\d+)\/statuses$/,
    handle: ({ repo, params, url }, o) => {
      const d = repo.deployments.find((x) => x.id === Number(params[0]));
      if (!d) throw notFound("https://docs.github.com/rest/deployments/statuses#list-deployment-statuses");
      return page(url, byNewest(d.statuses), (s) => deploymentStatusJson(o, repo, d, s));
    },
  },
  { method: "GET", pattern: /^\/releases$/, handle: ({ repo, url }, o) => page(url, byNewest(repo.releases), (r) => releaseJson(o, repo, r)) },
  {
    // GET git/ref/{ref} is the documented path; git/refs/{ref} is the older one GitHub still answers.
    method: "GET",
    pattern: /^\/git\/refs?\/(.+)$/,
    handle: ({ repo, params }, o) => {
      const ref = `refs/${params[0] ?? ""}`;
      const sha = repo.refs.get(ref);
      if (!sha) throw notFound("https://docs.github.com/rest/git/refs#get-a-reference");
      return ok(refJson(o, repo, ref, sha));
    },
  },
  {
    method: "GET",
    pattern: /^\/git\/commits\/([0-9a-f]{40})$/,
    handle: ({ repo, params }, o) => {
      const c = repo.git.commit(params[0] ?? "");
      if (!c) throw notFound("https://docs.github.com/rest/git/commits#get-a-commit-object");
      return ok({ sha: c.sha, url: `${o.api}/repos/${repo.fullName}/git/commits/${c.sha}`, author: c.author, committer: c.committer, message: c.message, tree: { sha: c.tree }, parents: c.parents.map((sha) => ({ sha })) });
    },
  },
];
