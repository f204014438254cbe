import { GitStore, type FileChange, type GitCommit } from "./git-store.js";

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
  mergedAt: string | null;
  mergedBy: string | null;
};
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
      mergedAt: null,
      mergedBy: null,
    };
    this.pulls.push(pull);
    return pull;
  }

  closePull(number: number, opts: { merged: boolean; at?: string; by?: string }): void {
    const pull = this.pulls.find((p) => p.number === number);
    if (!pull) throw new Error(`no pull ${number}`);
    const at = opts.at ?? this.now().toISOString();
    Object.assign(pull, { state: "closed", updatedAt: at, mergedAt: opts.merged ? at : null, mergedBy: opts.merged ? (opts.by ?? "octocat") : null });
  }

  /** The files a pull request changes: its head's tree against its base as it was when opened. */
  pullFiles(pull: Pull): FileChange[] {
    const tree = (sha: string) => this.git.commit(sha)?.tree;
    return this.git.diff(tree(pull.base.sha), tree(pull.head.sha) ?? "");
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
