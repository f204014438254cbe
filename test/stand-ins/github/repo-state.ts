import { GitStore, type FileChange, type FlatTree, type GitCommit } from "./git-store.js";

export type Pull = {
  number: number;
  title: string;
  body: string | null;
  user: string;
  state: "open" | "closed";
  draft: boolean;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
};
/** A comment on an issue or a pull request's conversation (GitHub's issue comments). */
export type IssueComment = { id: number; issue: number; body: string; user: string; createdAt: string; updatedAt: string };

export type MergeMethod = "merge" | "squash" | "rebase";
export type MergeOptions = { by: string; method?: MergeMethod; sha?: string; commitTitle?: string; commitMessage?: string };
/** Why a merge was refused: the API answers 404, 405 and 409 for these. */
export type MergeRefusal = { code: "not_found" } | { code: "not_mergeable"; reason: "not_open" | "conflict"; paths: string[] } | { code: "head_modified"; head: string };
export type MergeResult = { ok: true; value: GitCommit } | { ok: false; error: MergeRefusal };
export type PullUpdate = { title?: string; body?: string | null; state?: "open" | "closed" };
export type PullUpdateResult = { ok: true; value: Pull } | { ok: false; error: { code: "not_found" } | { code: "merged" } };

type Entry = { mode: string; sha: string };
const sameEntry = (a: Entry | undefined, b: Entry | undefined) => a?.sha === b?.sha && a?.mode === b?.mode;
/** GitHub's web-flow identity commits the merges made on github.com. */
const WEB_FLOW = { name: "GitHub", email: "noreply@github.com" };
export type Issue = { number: number; title: string; body: string | null; labels: string[]; user: string; createdAt: string };
export type DeploymentStatus = { id: number; state: string; description: string; environmentUrl: string; logUrl: string; createdAt: string; creator: string };
export type Deployment = { id: number; ref: string; sha: string; task: string; environment: string; description: string | null; creator: string; createdAt: string; statuses: DeploymentStatus[] };
export type Release = { id: number; tagName: string; name: string | null; draft: boolean; prerelease: boolean; createdAt: string; publishedAt: string | null; author: string };

/** What a seeded commit changes: a path's new content, or `null` to delete it. */
export type SeedCommit = { message: string; files: Record<string, string | null>; author?: { name: string; email: string; login?: string }; date?: string };

/** One repository of the stand-in: its git objects, branches, and the GitHub objects around them. */
export class RepoState {
  readonly git = new GitStore();
  readonly refs = new Map<string, string>();
  readonly pulls: Pull[] = [];
  readonly issues: Issue[] = [];
  readonly deployments: Deployment[] = [];
  readonly releases: Release[] = [];
  private readonly issueComments: IssueComment[] = [];
  /** Pull requests and issues share one number sequence on GitHub. */
  private nextNumber = 1;
  private nextId = 1000;

  constructor(
    readonly owner: string,
    readonly name: string,
    readonly defaultBranch: string,
    private readonly now: () => Date,
  ) {}

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  /** A branch, tag or commit sha to a commit sha. */
  resolve(ref: string): string | undefined {
    return this.refs.get(`refs/heads/${ref}`) ?? this.refs.get(`refs/tags/${ref}`) ?? this.refs.get(ref) ?? (this.git.commit(ref) ? ref : undefined);
  }

  /** Commits `files` on top of `branch` (creating the branch from nothing when it does not exist). */
  commit(branch: string, c: SeedCommit): GitCommit {
    const parent = this.resolve(branch);
    const base = new Map(parent ? this.git.tree(this.git.commit(parent)?.tree ?? "") : []);
    for (const [path, content] of Object.entries(c.files)) {
      if (content === null) base.delete(path);
      else base.set(path, { mode: "100644", sha: this.git.putBlob(content) });
    }
    const date = c.date ?? this.now().toISOString();
    const person = { name: c.author?.name ?? "Octo Cat", email: c.author?.email ?? "octocat@example.com", date };
    const commit = this.git.putCommit({ tree: this.git.putTree(base), parents: parent ? [parent] : [], message: c.message, author: person, committer: person, login: c.author?.login ?? null });
    this.refs.set(`refs/heads/${branch}`, commit.sha);
    return commit;
  }

  branch(name: string, from: string): void {
    const sha = this.resolve(from);
    if (!sha) throw new Error(`no such ref ${from}`);
    this.refs.set(`refs/heads/${name}`, sha);
  }

  /** The files on a branch (or at a sha), for tests to check what a change really wrote. */
  filesAt(ref: string): Map<string, string> {
    const sha = this.resolve(ref);
    const commit = sha ? this.git.commit(sha) : undefined;
    return commit ? this.git.files(commit.tree) : new Map();
  }

  openPull(p: { title: string; body?: string | null; head: string; base: string; user?: string; draft?: boolean; createdAt?: string }): Pull {
    const at = p.createdAt ?? this.now().toISOString();
    const pull: Pull = {
      number: this.nextNumber++,
      title: p.title,
      body: p.body ?? null,
      user: p.user ?? "octocat",
      state: "open",
      draft: p.draft ?? false,
      head: { ref: p.head, sha: this.resolve(p.head) ?? "" },
      base: { ref: p.base, sha: this.resolve(p.base) ?? "" },
      createdAt: at,
      updatedAt: at,
      closedAt: null,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
    };
    this.pulls.push(pull);
    return pull;
  }

  /** Marks a pull request closed (merged or not) without touching any branch; `mergePull` merges for real. */
  closePull(number: number, opts: { merged: boolean; at?: string; by?: string }): void {
    const pull = this.pulls.find((p) => p.number === number);
    if (!pull) throw new Error(`no pull ${number}`);
    const at = opts.at ?? this.now().toISOString();
    pull.head.sha = this.headSha(pull);
    Object.assign(pull, { state: "closed", updatedAt: at, closedAt: at, mergedAt: opts.merged ? at : null, mergedBy: opts.merged ? (opts.by ?? "octocat") : null });
  }

  /** An open pull request's head follows its branch, as on GitHub; a closed one keeps the head it closed with. */
  headSha(pull: Pull): string {
    return (pull.state === "open" && this.refs.get(`refs/heads/${pull.head.ref}`)) || pull.head.sha;
  }

  /** The files a pull request changes: its head's tree against where it forked from its base as the pull was opened. */
  pullFiles(pull: Pull): FileChange[] {
    const head = this.headSha(pull);
    return this.git.diff(this.treeOf(this.git.mergeBase(pull.base.sha, head) ?? pull.base.sha), this.treeOf(head) ?? "");
  }

  /** Whether an open pull request merges cleanly into its base branch as it is now. */
  mergeable(pull: Pull): boolean {
    return this.mergePlan(pull)?.conflicts.length === 0;
  }

  /**
   * Merges a pull request as PUT pulls/{n}/merge does: the base branch moves to a merge commit
   * (two parents), a squashed commit, or the pull's commits replayed (one parent each). Refuses a
   * pull that is not open, a `sha` that is not the head's, and a base that changed a path the pull
   * changes since the pull forked from it (conflicts are judged per file, not per line).
   */
  mergePull(number: number, m: MergeOptions): MergeResult {
    const pull = this.pulls.find((p) => p.number === number);
    if (!pull) return { ok: false, error: { code: "not_found" } };
    if (pull.state !== "open") return { ok: false, error: { code: "not_mergeable", reason: "not_open", paths: [] } };
    const head = this.headSha(pull);
    if (m.sha !== undefined && m.sha !== head) return { ok: false, error: { code: "head_modified", head } };
    const plan = this.mergePlan(pull);
    if (!plan || plan.conflicts.length) return { ok: false, error: { code: "not_mergeable", reason: "conflict", paths: plan?.conflicts ?? [] } };

    const at = this.now().toISOString();
    const merger = { name: m.by, email: `${m.by}@users.noreply.github.com`, date: at };
    const committer = { ...WEB_FLOW, date: at };
    // The pull's own commits, oldest first (its head alone when the fork point is off the first-parent line).
    const line = this.git.history(head);
    const forkAt = line.findIndex((c) => c.sha === plan.mergeBase);
    const commits = line.slice(0, forkAt < 0 ? 1 : forkAt).reverse();
    const message = (title: string, body: string) => (body ? `${title}\n\n${body}` : title);
    let result: GitCommit;
    switch (m.method ?? "merge") {
      case "merge":
        result = this.git.putCommit({
          tree: this.git.putTree(plan.tree),
          parents: [plan.ours, head],
          message: message(m.commitTitle ?? `Merge pull request #${pull.number} from ${this.owner}/${pull.head.ref}`, m.commitMessage ?? pull.title),
          author: merger,
          committer,
          login: m.by,
        });
        break;
      case "squash":
        result = this.git.putCommit({
          tree: this.git.putTree(plan.tree),
          parents: [plan.ours],
          message: message(m.commitTitle ?? `${pull.title} (#${pull.number})`, m.commitMessage ?? commits.map((c) => `* ${c.message}`).join("\n\n")),
          author: merger,
          committer,
          login: m.by,
        });
        break;
      case "rebase": {
        // Each commit's own change replayed in order; the last one carries the three-way result,
        // which is what a clean rebase ends at.
        const ours = this.git.commit(plan.ours);
        if (!ours) throw new Error(`${pull.base.ref} points at ${plan.ours}, which is no commit`);
        let parent = plan.ours;
        let tree = new Map(this.git.tree(ours.tree) ?? []);
        result = ours;
        for (const [i, c] of commits.entries()) {
          const before = this.git.tree(this.treeOf(c.parents[0] ?? "") ?? "") ?? new Map<string, Entry>();
          const after = this.git.tree(c.tree) ?? new Map<string, Entry>();
          for (const path of new Set([...before.keys(), ...after.keys()])) {
            const e = after.get(path);
            if (sameEntry(before.get(path), e)) continue;
            if (e) tree.set(path, e);
            else tree.delete(path);
          }
          if (i === commits.length - 1) tree = new Map(plan.tree);
          result = this.git.putCommit({ tree: this.git.putTree(tree), parents: [parent], message: c.message, author: c.author, committer, login: c.login });
          parent = result.sha;
        }
        break;
      }
    }
    this.refs.set(`refs/heads/${pull.base.ref}`, result.sha);
    Object.assign(pull, { state: "closed", head: { ref: pull.head.ref, sha: head }, updatedAt: at, closedAt: at, mergedAt: at, mergedBy: m.by, mergeCommitSha: result.sha });
    return { ok: true, value: result };
  }

  /** PATCH pulls/{n}: a new title or body, closing without merging, or reopening one that was not merged. */
  updatePull(number: number, u: PullUpdate): PullUpdateResult {
    const pull = this.pulls.find((p) => p.number === number);
    if (!pull) return { ok: false, error: { code: "not_found" } };
    if (u.state === "open" && pull.mergedAt) return { ok: false, error: { code: "merged" } };
    const at = this.now().toISOString();
    if (u.state === "closed" && pull.state === "open") {
      pull.head.sha = this.headSha(pull);
      Object.assign(pull, { state: "closed", closedAt: at });
    }
    if (u.state === "open" && pull.state === "closed") Object.assign(pull, { state: "open", closedAt: null });
    if (u.title !== undefined) pull.title = u.title;
    if (u.body !== undefined) pull.body = u.body;
    pull.updatedAt = at;
    return { ok: true, value: pull };
  }

  /** Comments on issue or pull request `number`, oldest first. */
  comments(number: number): IssueComment[] {
    return this.issueComments.filter((c) => c.issue === number);
  }

  /** Whether an issue or a pull request has this number (they share one sequence). */
  hasIssueOrPull(number: number): boolean {
    return this.pulls.some((p) => p.number === number) || this.issues.some((i) => i.number === number);
  }

  /** Comments on an issue or a pull request; undefined when neither has that number. */
  addComment(number: number, c: { body: string; user: string }): IssueComment | undefined {
    if (!this.hasIssueOrPull(number)) return undefined;
    const at = this.now().toISOString();
    const comment = { id: this.nextId++, issue: number, body: c.body, user: c.user, createdAt: at, updatedAt: at };
    this.issueComments.push(comment);
    return comment;
  }

  /**
   * The three-way merge of a pull request into its base branch as it is now, per file: the pull's
   * changes since its merge base applied to the base's tree; a file both sides changed differently
   * is a conflict. Undefined when the base branch is gone.
   */
  private mergePlan(pull: Pull): { ours: string; mergeBase: string; tree: FlatTree; conflicts: string[] } | undefined {
    const ours = this.refs.get(`refs/heads/${pull.base.ref}`);
    if (!ours) return undefined;
    const head = this.headSha(pull);
    const mergeBase = this.git.mergeBase(pull.base.sha, head) ?? pull.base.sha;
    const files = (sha: string) => this.git.tree(this.treeOf(sha) ?? "") ?? new Map<string, Entry>();
    const [base, mine, theirs] = [files(mergeBase), files(ours), files(head)];
    const tree = new Map(mine);
    const conflicts: string[] = [];
    for (const path of [...new Set([...base.keys(), ...theirs.keys()])].sort()) {
      const b = base.get(path);
      const t = theirs.get(path);
      if (sameEntry(b, t)) continue;
      const o = mine.get(path);
      if (!sameEntry(o, b) && !sameEntry(o, t)) conflicts.push(path);
      if (t) tree.set(path, t);
      else tree.delete(path);
    }
    return { ours, mergeBase, tree, conflicts };
  }

  private treeOf(commitSha: string): string | undefined {
    return this.git.commit(commitSha)?.tree;
  }

  openIssue(i: { title: string; body?: string | null; labels?: string[]; user: string }): Issue {
    const issue = { number: this.nextNumber++, title: i.title, body: i.body ?? null, labels: i.labels ?? [], user: i.user, createdAt: this.now().toISOString() };
    this.issues.push(issue);
    return issue;
  }

  addDeployment(d: { environment: string; ref: string; creator?: string; description?: string; createdAt?: string; statuses?: { state: string; description?: string; createdAt?: string }[] }): Deployment {
    const createdAt = d.createdAt ?? this.now().toISOString();
    const creator = d.creator ?? "octocat";
    const deployment: Deployment = {
      id: this.nextId++,
      ref: d.ref,
      sha: this.resolve(d.ref) ?? d.ref,
      task: "deploy",
      environment: d.environment,
      description: d.description ?? null,
      creator,
      createdAt,
      statuses: (d.statuses ?? []).map((s) => ({ id: this.nextId++, state: s.state, description: s.description ?? "", environmentUrl: "", logUrl: "", createdAt: s.createdAt ?? createdAt, creator })),
    };
    this.deployments.push(deployment);
    return deployment;
  }

  addRelease(r: { tagName: string; name?: string; draft?: boolean; prerelease?: boolean; publishedAt?: string; author?: string; target?: string }): Release {
    const at = r.publishedAt ?? this.now().toISOString();
    const target = this.resolve(r.target ?? this.defaultBranch);
    if (target) this.refs.set(`refs/tags/${r.tagName}`, target);
    const release = { id: this.nextId++, tagName: r.tagName, name: r.name ?? r.tagName, draft: r.draft ?? false, prerelease: r.prerelease ?? false, createdAt: at, publishedAt: r.draft ? null : at, author: r.author ?? "octocat" };
    this.releases.push(release);
    return release;
  }
}
