import type { Route } from "./read-routes.js";
import { fullPullJson, gitCommitJson, issueJson, refJson } from "./shapes.js";
import { GitHubApiError, stringField, validationFailed, type StandInResponse } from "./wire.js";

const created = (body: unknown): StandInResponse => ({ status: 201, body });
const FILE_MODES = new Set(["100644", "100755", "120000"]);

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
];
