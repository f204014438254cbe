import {
  commitJson,
  contentEntryJson,
  deploymentJson,
  deploymentStatusJson,
  fileContentJson,
  fileJson,
  fullPullJson,
  issueCommentJson,
  issueJson,
  pullIssueJson,
  pullJson,
  refJson,
  releaseJson,
  repoJson,
  treeJson,
  type Origin,
} from "./shapes.js";
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
  {
    // GitHub takes a tree sha, a commit sha or a branch name here; any `recursive` value (even 0) recurses.
    method: "GET",
    pattern: /^\/git\/trees\/(.+)$/,
    handle: ({ repo, params, url }, o) => {
      const ref = params[0] ?? "";
      const sha = repo.git.tree(ref) ? ref : repo.git.commit(repo.resolve(ref) ?? "")?.tree;
      const entries = sha === undefined ? undefined : repo.git.entries(sha, url.searchParams.has("recursive"));
      if (sha === undefined || !entries) throw notFound("https://docs.github.com/rest/git/trees#get-a-tree");
      return ok(treeJson(o, repo, sha, entries));
    },
  },
  {
    method: "GET",
    pattern: /^\/contents(?:\/(.*))?$/,
    handle: ({ repo, params, url }, o) => {
      const docs = "https://docs.github.com/rest/repos/contents#get-repository-content";
      const path = (params[0] ?? "").replace(/^\/+|\/+$/g, "");
      const ref = url.searchParams.get("ref") ?? repo.defaultBranch;
      const commit = repo.git.commit(repo.resolve(ref) ?? "");
      if (!commit) throw new GitHubApiError(404, `No commit found for the ref ${ref}`, undefined, docs);
      const file = path ? repo.git.tree(commit.tree)?.get(path) : undefined;
      if (file) return ok(fileContentJson(o, repo, ref, path, file.sha));
      const dir = path ? repo.git.subtree(commit.tree, path) : commit.tree;
      const entries = dir === undefined ? undefined : repo.git.entries(dir, false);
      if (!entries) throw notFound(docs);
      return ok(entries.map((e) => contentEntryJson(o, repo, ref, { path: path ? `${path}/${e.path}` : e.path, type: e.type === "blob" ? "file" : "dir", sha: e.sha })));
    },
  },
  {
    method: "GET",
    pattern: /^\/issues\/(\d+)$/,
    handle: ({ repo, params }, o) => {
      const n = Number(params[0]);
      const issue = repo.issues.find((i) => i.number === n);
      if (issue) return ok(issueJson(o, repo, issue));
      const pull = repo.pulls.find((p) => p.number === n);
      if (pull) return ok(pullIssueJson(o, repo, pull));
      throw notFound("https://docs.github.com/rest/issues/issues#get-an-issue");
    },
  },
  {
    method: "GET",
    pattern: /^\/issues\/(\d+)\/comments$/,
    handle: ({ repo, params, url }, o) => {
      const n = Number(params[0]);
      if (!repo.hasIssueOrPull(n)) throw notFound("https://docs.github.com/rest/issues/comments#list-issue-comments");
      const since = url.searchParams.get("since");
      return page(url, repo.comments(n).filter((c) => !since || c.updatedAt >= since), (c) => issueCommentJson(o, repo, c));
    },
  },
];
