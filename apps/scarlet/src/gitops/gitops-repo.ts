import { branchExists, createGitHubContext, openPullRequestFromChanges, type GitHubContext, type OpenedPullRequest, type PullRequestFromChanges } from "@autodevops/mcp-servers";
import type { Logger } from "@autodevops/shared";

/** The most manifest files read to find a workload's: a GitOps folder is manifests, not a monorepo. */
const MAX_FILES = 400;
const YAML_FILE = /\.ya?ml$/i;

/** A pull request's state as the GitOps path reads it. */
export type PullState = { state: "open" } | { state: "merged"; by: string; commit: string | null; url: string } | { state: "closed"; url: string };

/**
 * The GitOps repository through Octokit (GitHub or a GitHub Enterprise `/api/v3`): its manifests
 * on the synced branch, pull requests that change them, comments, issues. Failures come back as
 * errors that name what was asked and GitHub's answer, never the token.
 */
export class GitOpsRepo {
  readonly #gh: GitHubContext;
  readonly #owner: string;
  readonly #name: string;
  #branch: string | undefined;

  constructor(opts: { repo: string; branch?: string | undefined; token: string; apiUrl: string; log: Pick<Logger, "info" | "warn"> }) {
    this.#gh = createGitHubContext({ token: opts.token, apiUrl: opts.apiUrl.replace(/\/+$/, ""), repositories: [opts.repo], log: opts.log });
    const [owner = "", name = ""] = opts.repo.split("/");
    this.#owner = owner;
    this.#name = name;
    this.#branch = opts.branch;
  }

  get fullName(): string {
    return `${this.#owner}/${this.#name}`;
  }

  /** The branch ArgoCD syncs from: the configured one, else the repository's default. */
  async branch(): Promise<string> {
    if (this.#branch) return this.#branch;
    const r = await this.#gh.call(`repository ${this.fullName}`, () => this.#gh.octokit.rest.repos.get(this.#where()));
    this.#branch = r.data.default_branch;
    return this.#branch;
  }

  /** The YAML files under `folder` ("" for all) on the synced branch, with their text. */
  async manifests(folder: string): Promise<{ path: string; text: string }[]> {
    const ref = await this.branch();
    const tree = await this.#gh.call(`the file tree of ${this.fullName}@${ref}`, () => this.#gh.octokit.rest.git.getTree({ ...this.#where(), tree_sha: ref, recursive: "1" }));
    const prefix = folder ? `${folder.replace(/\/+$/, "")}/` : "";
    const paths = tree.data.tree.filter((e) => e.type === "blob" && e.path !== undefined && e.path.startsWith(prefix) && YAML_FILE.test(e.path)).map((e) => e.path as string);
    if (paths.length > MAX_FILES) throw new Error(`${this.fullName} has ${paths.length} YAML files under ${folder || "its root"}: set GITOPS_PATH to the folder of the cluster's manifests (at most ${MAX_FILES})`);
    return Promise.all(paths.map(async (path) => ({ path, text: await this.read(path, ref) })));
  }

  async read(path: string, ref?: string): Promise<string> {
    const at = ref ?? (await this.branch());
    const r = await this.#gh.call(`${path} in ${this.fullName}@${at}`, () => this.#gh.octokit.rest.repos.getContent({ ...this.#where(), path, ref: at }));
    const file = r.data as { type?: string; content?: string; encoding?: string };
    if (Array.isArray(r.data) || file.type !== "file" || typeof file.content !== "string") throw new Error(`${path} in ${this.fullName} is not a file`);
    return file.encoding === "base64" ? Buffer.from(file.content, "base64").toString("utf8") : file.content;
  }

  /** Opens a pull request into the synced branch from a new branch holding the change. */
  async openPullRequest(change: Omit<PullRequestFromChanges, "base">): Promise<OpenedPullRequest> {
    return openPullRequestFromChanges(this.#gh, { owner: this.#owner, repo: this.#name }, { ...change, base: await this.branch() });
  }

  async branchExists(branch: string): Promise<boolean> {
    return branchExists(this.#gh, { owner: this.#owner, repo: this.#name }, branch);
  }

  /** The pull request opened from `branch`, in any state: after a restart, the one already opened. */
  async pullFrom(branch: string): Promise<{ number: number; url: string } | undefined> {
    const pulls = await this.#gh.call(`pull requests of ${this.fullName}`, () => this.#gh.octokit.paginate(this.#gh.octokit.rest.pulls.list, { ...this.#where(), state: "all", per_page: 100 }));
    const p = pulls.find((x) => x.head.ref === branch);
    return p ? { number: p.number, url: p.html_url } : undefined;
  }

  async pull(number: number): Promise<PullState> {
    const { data: p } = await this.#gh.call(`pull request #${number} of ${this.fullName}`, () => this.#gh.octokit.rest.pulls.get({ ...this.#where(), pull_number: number }));
    if (p.merged || p.merged_at) return { state: "merged", by: p.merged_by?.login ?? "someone", commit: p.merge_commit_sha ?? null, url: p.html_url };
    return p.state === "closed" ? { state: "closed", url: p.html_url } : { state: "open" };
  }

  async comment(number: number, body: string): Promise<void> {
    await this.#gh.call(`a comment on #${number} of ${this.fullName}`, () => this.#gh.octokit.rest.issues.createComment({ ...this.#where(), issue_number: number, body }));
  }

  async close(number: number): Promise<void> {
    await this.#gh.call(`closing #${number} of ${this.fullName}`, () => this.#gh.octokit.rest.pulls.update({ ...this.#where(), pull_number: number, state: "closed" }));
  }

  async openIssue(title: string, body: string, labels: string[]): Promise<{ number: number; url: string }> {
    const r = await this.#gh.call(`an issue in ${this.fullName}`, () => this.#gh.octokit.rest.issues.create({ ...this.#where(), title, body, labels }));
    return { number: r.data.number, url: r.data.html_url };
  }

  #where() {
    return { owner: this.#owner, repo: this.#name };
  }
}
