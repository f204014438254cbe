import type { Route } from "./read-routes.js";
import type { MergeMethod } from "./repo-state.js";
import { fullPullJson, gitCommitJson, issueCommentJson, issueJson, refJson } from "./shapes.js";
import { GitHubApiError, notFound, stringField, validationFailed, type StandInResponse } from "./wire.js";

const created = (body: unknown): StandInResponse => ({ status: 201, body });
const FILE_MODES = new Set(["100644", "100755", "120000"]);
const MERGE_METHODS: readonly string[] = ["merge", "squash", "rebase"] satisfies MergeMethod[];
const isMergeMethod = (m: string): m is MergeMethod => MERGE_METHODS.includes(m);

type TreeEntryIn = { path?: unknown; mode?: unknown; type?: unknown; sha?: unknown; content?: unknown };

export const writeRoutes: Route[] = [
  {
    method: "POST",
    pattern: /^\/issues$/,
    handle: ({ repo, body, login }, o) => {
      const title = stringField(body, "title", "Issue");
      const raw = (body as { labels?: unknown }).labels ?? [];
      if (!Array.isArray(raw)) throw validationFailed("Issue", [{ field: "labels", code: "invalid" }]);
      const labels = raw.map((l: unknown) => (typeof l === "string" ? l : String((l as { name?: unknown }).name)));
      return created(issueJson(o, repo, repo.openIssue({ title, body: stringField(body, "body", "Issue", { optional: true }) ?? null, labels, user: login })));
    },
  },
  {
    method: "POST",
    pattern: /^\/git\/trees$/,
    handle: ({ repo, body }, o) => {
      const baseTree = stringField(body, "base_tree", "Tree", { optional: true });
      const base = baseTree === undefined ? new Map() : repo.git.tree(baseTree);
      if (!base) throw new GitHubApiError(422, "Invalid tree info", undefined, "https://docs.github.com/rest/git/trees#create-a-tree");
      const entries = (body as { tree?: unknown }).tree;
      if (!Array.isArray(entries) || entries.length === 0) throw validationFailed("Tree", [{ field: "tree", code: "missing_field" }]);
      const next = new Map(base);
      for (const e of entries as TreeEntryIn[]) {
        if (typeof e.path !== "string" || e.path === "" || e.path.startsWith("/") || e.path.split("/").some((s) => s === "" || s === "." || s === ".."))
          throw new GitHubApiError(422, `tree.path contains a malformed path component`);
        if (typeof e.mode !== "string" || !FILE_MODES.has(e.mode) || e.type !== "blob") throw new GitHubApiError(422, `tree.mode or tree.type is not a file's for ${e.path}`);
        if (e.sha === null) {
          if (!next.has(e.path)) throw new GitHubApiError(422, `tree.sha null deletes a path that does not exist: ${e.path}`);
          next.delete(e.path);
        } else if (typeof e.content === "string") {
          next.set(e.path, { mode: e.mode, sha: repo.git.putBlob(e.content) });
        } else if (typeof e.sha === "string" && repo.git.blob(e.sha) !== undefined) {
          next.set(e.path, { mode: e.mode, sha: e.sha });
        } else {
          throw new GitHubApiError(422, `tree.sha ${String(e.sha)} is not a valid blob`);
        }
      }
      const sha = repo.git.putTree(next);
      const api = `${o.api}/repos/${repo.fullName}/git`;
      return created({ sha, url: `${api}/trees/${sha}`, tree: [...next].map(([path, e]) => ({ path, mode: e.mode, type: "blob", sha: e.sha, size: Buffer.byteLength(repo.git.blob(e.sha) ?? ""), url: `${api}/blobs/${e.sha}` })), truncated: false });
    },
  },
  {
    method: "POST",
    pattern: /^\/git\/commits$/,
    handle: ({ repo, body, login }, o) => {
      const message = stringField(body, "message", "Commit");
      const tree = stringField(body, "tree", "Commit");
      const parents = (body as { parents?: unknown }).parents ?? [];
      if (!repo.git.tree(tree)) throw new GitHubApiError(422, "Tree SHA does not exist", undefined, "https://docs.github.com/rest/git/commits#create-a-commit");
      if (!Array.isArray(parents) || parents.some((p) => typeof p !== "string" || !repo.git.commit(p))) throw new GitHubApiError(422, "Parent SHA does not exist or is not a commit object");
      const person = { name: login, email: `${login}@users.noreply.github.com`, date: new Date().toISOString() };
      return created(gitCommitJson(o, repo, repo.git.putCommit({ tree, parents: parents as string[], message, author: person, committer: person, login })));
    },
  },
  {
    method: "POST",
    pattern: /^\/git\/refs$/,
    handle: ({ repo, body }, o) => {
      const ref = stringField(body, "ref", "Reference");
      const sha = stringField(body, "sha", "Reference");
      if (!/^refs\/[^/]+\/.+/.test(ref)) throw new GitHubApiError(422, "Reference name must start with 'refs/' and have at least two slashes.");
      if (repo.refs.has(ref)) throw new GitHubApiError(422, "Reference already exists", undefined, "https://docs.github.com/rest/git/refs#create-a-reference");
      if (!repo.git.commit(sha)) throw new GitHubApiError(422, "Object does not exist");
      repo.refs.set(ref, sha);
      return created(refJson(o, repo, ref, sha));
    },
  },
  {
    method: "DELETE",
    pattern: /^\/git\/refs\/(.+)$/,
    handle: ({ repo, params }) => {
      if (!repo.refs.delete(`refs/${params[0] ?? ""}`)) throw new GitHubApiError(422, "Reference does not exist");
      return { status: 204, body: undefined };
    },
  },
  {
    method: "POST",
    pattern: /^\/pulls$/,
    handle: ({ repo, body, login }, o) => {
      const title = stringField(body, "title", "PullRequest");
      const head = stringField(body, "head", "PullRequest").replace(new RegExp(`^${repo.owner}:`), "");
      const base = stringField(body, "base", "PullRequest");
      const headSha = repo.refs.get(`refs/heads/${head}`);
      const baseSha = repo.refs.get(`refs/heads/${base}`);
      if (!headSha) throw validationFailed("PullRequest", [{ field: "head", code: "invalid" }]);
      if (!baseSha) throw validationFailed("PullRequest", [{ field: "base", code: "invalid" }]);
      if (headSha === baseSha) throw validationFailed("PullRequest", [{ code: "custom", message: `No commits between ${base} and ${head}` }]);
      if (repo.pulls.some((p) => p.state === "open" && p.head.ref === head && p.base.ref === base))
        throw validationFailed("PullRequest", [{ code: "custom", message: `A pull request already exists for ${repo.owner}:${head}.` }]);
      const draft = (body as { draft?: unknown }).draft === true;
      const pull = repo.openPull({ title, body: stringField(body, "body", "PullRequest", { optional: true }) ?? null, head, base, user: login, draft });
      return created(fullPullJson(o, repo, pull));
    },
  },
  {
    method: "PUT",
    pattern: /^\/pulls\/(\d+)\/merge$/,
    handle: ({ repo, params, body, login }) => {
      const docs = "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request";
      const method = stringField(body, "merge_method", "PullRequest", { optional: true }) ?? "merge";
      if (!isMergeMethod(method)) throw new GitHubApiError(422, `Invalid request.\n\nFor 'properties/merge_method', "${method}" is not a member of ["merge", "squash", "rebase"].`, undefined, docs);
      const merged = repo.mergePull(Number(params[0]), {
        by: login,
        method,
        sha: stringField(body, "sha", "PullRequest", { optional: true }),
        commitTitle: stringField(body, "commit_title", "PullRequest", { optional: true }),
        commitMessage: stringField(body, "commit_message", "PullRequest", { optional: true }),
      });
      if (merged.ok) return { status: 200, body: { sha: merged.value.sha, merged: true, message: "Pull Request successfully merged" } };
      switch (merged.error.code) {
        case "not_found":
          throw notFound(docs);
        case "not_mergeable":
          throw new GitHubApiError(405, "Pull Request is not mergeable", undefined, docs);
        case "head_modified":
          throw new GitHubApiError(409, "Head branch was modified. Review and try the merge again.", undefined, docs);
      }
    },
  },
  {
    method: "PATCH",
    pattern: /^\/pulls\/(\d+)$/,
    handle: ({ repo, params, body }, o) => {
      const docs = "https://docs.github.com/rest/pulls/pulls#update-a-pull-request";
      const state = stringField(body, "state", "PullRequest", { optional: true });
      if (state !== undefined && state !== "open" && state !== "closed") throw validationFailed("PullRequest", [{ field: "state", code: "invalid" }]);
      const rawBody = body && typeof body === "object" ? (body as Record<string, unknown>).body : undefined;
      const updated = repo.updatePull(Number(params[0]), {
        title: stringField(body, "title", "PullRequest", { optional: true }),
        // An explicit null clears the description, as on GitHub.
        body: rawBody === null ? null : stringField(body, "body", "PullRequest", { optional: true }),
        state,
      });
      if (updated.ok) return { status: 200, body: fullPullJson(o, repo, updated.value) };
      switch (updated.error.code) {
        case "not_found":
          throw notFound(docs);
        case "merged":
          throw validationFailed("PullRequest", [{ field: "state", code: "custom", message: "state cannot be changed. The pull request cannot be reopened." }]);
      }
    },
  },
  {
    // Pull requests are issues too: their conversation's comments are issue comments.
    method: "POST",
    pattern: /^\/issues\/(\d+)\/comments$/,
    handle: ({ repo, params, body, login }, o) => {
      const n = Number(params[0]);
      // GitHub answers 404 for an unknown number before it looks at the body.
      const comment = repo.hasIssueOrPull(n) ? repo.addComment(n, { body: stringField(body, "body", "IssueComment"), user: login }) : undefined;
      if (!comment) throw notFound("https://docs.github.com/rest/issues/comments#create-an-issue-comment");
      return created(issueCommentJson(o, repo, comment));
    },
  },
];
