import type { FileChange, GitCommit, TreeEntry } from "./git-store.js";
import type { Deployment, DeploymentStatus, Issue, IssueComment, Pull, Release, RepoState } from "./repo-state.js";

// The JSON GitHub's REST API answers with, cut down to the fields a client commonly reads.

/** Where the stand-in lives, for the `url` (API) and `html_url` (web) fields. */
export type Origin = { api: string; web: string };

export const userJson = (o: Origin, login: string) => ({ login, id: loginId(login), type: "User", url: `${o.api}/users/${login}`, html_url: `${o.web}/${login}` });

export function repoJson(o: Origin, r: RepoState) {
  return {
    id: loginId(r.fullName),
    name: r.name,
    full_name: r.fullName,
    private: true,
    owner: userJson(o, r.owner),
    html_url: `${o.web}/${r.fullName}`,
    url: `${o.api}/repos/${r.fullName}`,
    default_branch: r.defaultBranch,
    visibility: "private",
  };
}

export function commitJson(o: Origin, r: RepoState, c: GitCommit) {
  const api = `${o.api}/repos/${r.fullName}`;
  return {
    sha: c.sha,
    url: `${api}/commits/${c.sha}`,
    html_url: `${o.web}/${r.fullName}/commit/${c.sha}`,
    commit: { author: c.author, committer: c.committer, message: c.message, tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` }, url: `${api}/git/commits/${c.sha}`, comment_count: 0 },
    author: c.login ? userJson(o, c.login) : null,
    committer: c.login ? userJson(o, c.login) : null,
    parents: c.parents.map((sha) => ({ sha, url: `${api}/commits/${sha}`, html_url: `${o.web}/${r.fullName}/commit/${sha}` })),
  };
}

export function gitCommitJson(o: Origin, r: RepoState, c: GitCommit) {
  const api = `${o.api}/repos/${r.fullName}`;
  return { sha: c.sha, url: `${api}/git/commits/${c.sha}`, html_url: `${o.web}/${r.fullName}/commit/${c.sha}`, author: c.author, committer: c.committer, message: c.message, tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` }, parents: c.parents.map((sha) => ({ sha, url: `${api}/git/commits/${sha}` })) };
}

export const refJson = (o: Origin, r: RepoState, ref: string, sha: string) => ({
  ref,
  url: `${o.api}/repos/${r.fullName}/git/${ref}`,
  object: { type: "commit", sha, url: `${o.api}/repos/${r.fullName}/git/commits/${sha}` },
});

export function pullJson(o: Origin, r: RepoState, p: Pull) {
  const branch = (b: { ref: string; sha: string }) => ({ label: `${r.owner}:${b.ref}`, ref: b.ref, sha: b.sha, user: userJson(o, r.owner), repo: repoJson(o, r) });
  return {
    url: `${o.api}/repos/${r.fullName}/pulls/${p.number}`,
    id: p.number + 500_000,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: userJson(o, p.user),
    body: p.body,
    labels: [],
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    closed_at: p.closedAt,
    merged_at: p.mergedAt,
    draft: p.draft,
    merge_commit_sha: p.mergeCommitSha,
    head: branch({ ref: p.head.ref, sha: r.headSha(p) }),
    base: branch(p.base),
    html_url: `${o.web}/${r.fullName}/pull/${p.number}`,
    author_association: "MEMBER",
  };
}

/** A single pull request (GET pulls/{n}) carries merge state and size besides the list fields. */
export function fullPullJson(o: Origin, r: RepoState, p: Pull) {
  const files = r.pullFiles(p);
  const mergeable = p.state === "open" ? r.mergeable(p) : null;
  return {
    ...pullJson(o, r, p),
    merged: p.mergedAt !== null,
    mergeable,
    mergeable_state: mergeable === null ? "unknown" : mergeable ? "clean" : "dirty",
    merged_by: p.mergedBy ? userJson(o, p.mergedBy) : null,
    comments: r.comments(p.number).length,
    commits: Math.max(r.git.history(r.headSha(p)).findIndex((c) => c.sha === p.base.sha), 1),
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    changed_files: files.length,
  };
}

export const fileJson = (o: Origin, r: RepoState, f: FileChange) => ({
  sha: f.sha,
  filename: f.filename,
  status: f.status,
  additions: f.additions,
  deletions: f.deletions,
  changes: f.additions + f.deletions,
  blob_url: `${o.web}/${r.fullName}/blob/${f.sha}/${f.filename}`,
  contents_url: `${o.api}/repos/${r.fullName}/contents/${f.filename}`,
});

export const deploymentJson = (o: Origin, r: RepoState, d: Deployment) => ({
  url: `${o.api}/repos/${r.fullName}/deployments/${d.id}`,
  id: d.id,
  sha: d.sha,
  ref: d.ref,
  task: d.task,
  payload: {},
  environment: d.environment,
  original_environment: d.environment,
  description: d.description,
  creator: userJson(o, d.creator),
  created_at: d.createdAt,
  updated_at: d.statuses.at(-1)?.createdAt ?? d.createdAt,
  statuses_url: `${o.api}/repos/${r.fullName}/deployments/${d.id}/statuses`,
  repository_url: `${o.api}/repos/${r.fullName}`,
  transient_environment: false,
  production_environment: d.environment === "production",
});

export const deploymentStatusJson = (o: Origin, r: RepoState, d: Deployment, s: DeploymentStatus) => ({
  url: `${o.api}/repos/${r.fullName}/deployments/${d.id}/statuses/${s.id}`,
  id: s.id,
  state: s.state,
  creator: userJson(o, s.creator),
  description: s.description,
  environment: d.environment,
  target_url: s.logUrl,
  log_url: s.logUrl,
  environment_url: s.environmentUrl,
  created_at: s.createdAt,
  updated_at: s.createdAt,
  deployment_url: `${o.api}/repos/${r.fullName}/deployments/${d.id}`,
  repository_url: `${o.api}/repos/${r.fullName}`,
});

export const releaseJson = (o: Origin, r: RepoState, rel: Release) => ({
  url: `${o.api}/repos/${r.fullName}/releases/${rel.id}`,
  html_url: `${o.web}/${r.fullName}/releases/tag/${rel.tagName}`,
  id: rel.id,
  tag_name: rel.tagName,
  target_commitish: r.defaultBranch,
  name: rel.name,
  draft: rel.draft,
  prerelease: rel.prerelease,
  created_at: rel.createdAt,
  published_at: rel.publishedAt,
  author: userJson(o, rel.author),
  assets: [],
  body: null,
});

export const issueJson = (o: Origin, r: RepoState, i: Issue) => ({
  url: `${o.api}/repos/${r.fullName}/issues/${i.number}`,
  html_url: `${o.web}/${r.fullName}/issues/${i.number}`,
  id: i.number + 900_000,
  number: i.number,
  title: i.title,
  body: i.body,
  state: "open",
  user: userJson(o, i.user),
  labels: i.labels.map((name, n) => ({ id: n + 1, name, color: "ededed", default: false })),
  assignees: [],
  comments: r.comments(i.number).length,
  comments_url: `${o.api}/repos/${r.fullName}/issues/${i.number}/comments`,
  created_at: i.createdAt,
  updated_at: i.createdAt,
  closed_at: null,
});

/** GET issues/{n} for a pull request's number: the issue side of the pull, with a `pull_request` key. */
export const pullIssueJson = (o: Origin, r: RepoState, p: Pull) => ({
  url: `${o.api}/repos/${r.fullName}/issues/${p.number}`,
  html_url: `${o.web}/${r.fullName}/pull/${p.number}`,
  id: p.number + 900_000,
  number: p.number,
  title: p.title,
  body: p.body,
  state: p.state,
  user: userJson(o, p.user),
  labels: [],
  assignees: [],
  comments: r.comments(p.number).length,
  comments_url: `${o.api}/repos/${r.fullName}/issues/${p.number}/comments`,
  created_at: p.createdAt,
  updated_at: p.updatedAt,
  closed_at: p.closedAt,
  draft: p.draft,
  pull_request: {
    url: `${o.api}/repos/${r.fullName}/pulls/${p.number}`,
    html_url: `${o.web}/${r.fullName}/pull/${p.number}`,
    diff_url: `${o.web}/${r.fullName}/pull/${p.number}.diff`,
    patch_url: `${o.web}/${r.fullName}/pull/${p.number}.patch`,
    merged_at: p.mergedAt,
  },
});

export function issueCommentJson(o: Origin, r: RepoState, c: IssueComment) {
  const onPull = r.pulls.some((p) => p.number === c.issue);
  return {
    id: c.id,
    node_id: Buffer.from(`IssueComment:${r.fullName}:${c.id}`).toString("base64"),
    url: `${o.api}/repos/${r.fullName}/issues/comments/${c.id}`,
    html_url: `${o.web}/${r.fullName}/${onPull ? "pull" : "issues"}/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${o.api}/repos/${r.fullName}/issues/${c.issue}`,
    body: c.body,
    user: userJson(o, c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: "MEMBER",
  };
}

/** A Git Trees API tree: blobs carry their size, directories are `tree` entries. */
export function treeJson(o: Origin, r: RepoState, sha: string, entries: TreeEntry[]) {
  const api = `${o.api}/repos/${r.fullName}/git`;
  return {
    sha,
    url: `${api}/trees/${sha}`,
    tree: entries.map((e) =>
      e.type === "blob"
        ? { path: e.path, mode: e.mode, type: e.type, sha: e.sha, size: Buffer.byteLength(r.git.blob(e.sha) ?? ""), url: `${api}/blobs/${e.sha}` }
        : { path: e.path, mode: e.mode, type: e.type, sha: e.sha, url: `${api}/trees/${e.sha}` },
    ),
    truncated: false,
  };
}

/** One entry of the contents API (a directory listing's item, or a file without its content). */
export function contentEntryJson(o: Origin, r: RepoState, ref: string, e: { path: string; type: "file" | "dir"; sha: string }) {
  const self = `${o.api}/repos/${r.fullName}/contents/${e.path}?ref=${encodeURIComponent(ref)}`;
  const git = `${o.api}/repos/${r.fullName}/git/${e.type === "file" ? "blobs" : "trees"}/${e.sha}`;
  const html = `${o.web}/${r.fullName}/${e.type === "file" ? "blob" : "tree"}/${ref}/${e.path}`;
  return {
    type: e.type,
    size: e.type === "file" ? Buffer.byteLength(r.git.blob(e.sha) ?? "") : 0,
    name: e.path.slice(e.path.lastIndexOf("/") + 1),
    path: e.path,
    sha: e.sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: e.type === "file" ? `${o.web}/raw/${r.fullName}/${ref}/${e.path}` : null,
    _links: { self, git, html },
  };
}

/** A file through the contents API: its entry plus its content, base64 in lines of 60 as GitHub sends it. */
export function fileContentJson(o: Origin, r: RepoState, ref: string, path: string, sha: string) {
  const base64 = Buffer.from(r.git.blob(sha) ?? "", "utf8").toString("base64");
  return { ...contentEntryJson(o, r, ref, { path, type: "file", sha }), content: (base64.match(/.{1,60}/g) ?? []).map((line) => `${line}\n`).join(""), encoding: "base64" };
}

/** A stable small number for a name, for `id` fields. */
function loginId(login: string): number {
  let h = 7;
  for (const ch of login) h = (h * 31 + ch.charCodeAt(0)) % 1_000_000;
  return h;
}
