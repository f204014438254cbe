import { Octokit } from "octokit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RepoState } from "./repo-state.js";
import { startGitHubStandIn, type GitHubStandIn } from "./server.js";

const BOT_TOKEN = "ghp_GitOpsBotToken0123456789abcdefABCDEF";
const ALICE_TOKEN = "ghp_AliceReviewerToken0123456789abcdefAB";
const OWNER = "acme";
const CHECKOUT = "replicas: 2\nimage: registry.acme.test/checkout:1.4.0\nresources:\n  limits:\n    memory: 512Mi\n    cpu: 500m\n";
const SEED = {
  "README.md": "# estate\n",
  "apps/checkout/deployment.yaml": CHECKOUT,
  "apps/checkout/service.yaml": "port: 8080\n",
  "apps/payments/deployment.yaml": "replicas: 3\nimage: payments:2.0.0\n",
};

type PullData = Awaited<ReturnType<Octokit["rest"]["pulls"]["create"]>>["data"];

describe("the GitHub stand-in's GitOps routes, driven by Octokit", () => {
  let gh: GitHubStandIn;
  let bot: Octokit;
  let alice: Octokit;
  let repos = 0;
  beforeAll(async () => {
    gh = await startGitHubStandIn({ token: BOT_TOKEN, login: "autodevops-bot", users: { [ALICE_TOKEN]: "alice" } });
    // Octokit's retry plugin retries a 405 or 409 (they are not in its default doNotRetry list);
    // a refused merge is final, and retrying it would only add seconds of backoff. Its throttling
    // plugin spaces writes a second apart, which guards github.com, not a local stand-in.
    const client = { baseUrl: gh.url, retry: { doNotRetry: [400, 401, 403, 404, 405, 409, 410, 422, 451] }, throttle: { enabled: false } };
    bot = new Octokit({ auth: BOT_TOKEN, ...client });
    alice = new Octokit({ auth: ALICE_TOKEN, ...client });
  });
  afterAll(async () => {
    await gh?.close();
  });

  /** A fresh repository with the seeded estate on main, so each test starts from the same files. */
  function seeded(): { repo: RepoState; name: string } {
    const name = `estate-${++repos}`;
    const repo = gh.addRepo(`${OWNER}/${name}`);
    repo.commit("main", { message: "seed the estate", files: SEED });
    return { repo, name };
  }

  /** A pull request the way our GitOps path opens one: tree, commit, branch, pull (Git Data API). */
  async function propose(name: string, branch: string, files: Record<string, string>): Promise<PullData> {
    const repo = name;
    const { data: ref } = await bot.rest.git.getRef({ owner: OWNER, repo, ref: "heads/main" });
    const { data: base } = await bot.rest.git.getCommit({ owner: OWNER, repo, commit_sha: ref.object.sha });
    const tree = Object.entries(files).map(([path, content]) => ({ path, mode: "100644" as const, type: "blob" as const, content }));
    const { data: newTree } = await bot.rest.git.createTree({ owner: OWNER, repo, base_tree: base.tree.sha, tree });
    const { data: commit } = await bot.rest.git.createCommit({ owner: OWNER, repo, message: `change on ${branch}`, tree: newTree.sha, parents: [ref.object.sha] });
    await bot.rest.git.createRef({ owner: OWNER, repo, ref: `refs/heads/${branch}`, sha: commit.sha });
    const { data: pull } = await bot.rest.pulls.create({ owner: OWNER, repo, title: `Change ${branch}`, body: "Proposed by the bot.", head: branch, base: "main" });
    return pull;
  }

  const statusOf = (p: Promise<unknown>) =>
    p.then(
      () => ({ status: 200, message: undefined }),
      (e: { status?: number; response?: { data?: { message?: string } } }) => ({ status: e.status, message: e.response?.data?.message }),
    );

  it("lists a branch's tree recursively, directories included, and only the top level without recursive", async () => {
    const { repo, name } = seeded();
    const { data } = await bot.rest.git.getTree({ owner: OWNER, repo: name, tree_sha: "main", recursive: "1" });
    expect(data.truncated).toBe(false);
    expect(data.sha).toBe(repo.git.commit(repo.resolve("main") ?? "")?.tree);
    expect(data.tree.map((e) => [e.path, e.type])).toEqual([
      ["README.md", "blob"],
      ["apps", "tree"],
      ["apps/checkout", "tree"],
      ["apps/checkout/deployment.yaml", "blob"],
      ["apps/checkout/service.yaml", "blob"],
      ["apps/payments", "tree"],
      ["apps/payments/deployment.yaml", "blob"],
    ]);
    const deployment = data.tree.find((e) => e.path === "apps/checkout/deployment.yaml");
    expect(deployment).toMatchObject({ mode: "100644", size: Buffer.byteLength(CHECKOUT), url: expect.stringContaining(`/git/blobs/${deployment?.sha}`) });
    expect(data.tree.find((e) => e.path === "apps")).toMatchObject({ mode: "040000", url: expect.stringContaining("/git/trees/") });

    const top = await bot.rest.git.getTree({ owner: OWNER, repo: name, tree_sha: repo.resolve("main") ?? "" });
    expect(top.data.tree.map((e) => [e.path, e.type])).toEqual([
      ["README.md", "blob"],
      ["apps", "tree"],
    ]);
    // A directory's sha is stable and reads back as that directory's tree.
    const appsSha = top.data.tree.find((e) => e.path === "apps")?.sha ?? "";
    expect(appsSha).toBe(data.tree.find((e) => e.path === "apps")?.sha);
    const apps = await bot.rest.git.getTree({ owner: OWNER, repo: name, tree_sha: appsSha });
    expect(apps.data.tree.map((e) => e.path)).toEqual(["checkout", "payments"]);

    expect(await statusOf(bot.rest.git.getTree({ owner: OWNER, repo: name, tree_sha: "no-such-branch" }))).toEqual({ status: 404, message: "Not Found" });
  });

  it("reads a file's contents as base64 in lines of 60, and lists a directory", async () => {
    const { name } = seeded();
    const { data } = await bot.rest.repos.getContent({ owner: OWNER, repo: name, path: "apps/checkout/deployment.yaml" });
    if (Array.isArray(data) || data.type !== "file") throw new Error(`expected a file, got ${JSON.stringify(data)}`);
    expect(data).toMatchObject({ encoding: "base64", name: "deployment.yaml", path: "apps/checkout/deployment.yaml", size: Buffer.byteLength(CHECKOUT), download_url: expect.any(String) });
    expect(data.content.split("\n").every((line) => line.length <= 60)).toBe(true);
    expect(data.content.endsWith("\n")).toBe(true);
    expect(Buffer.from(data.content, "base64").toString("utf8")).toBe(CHECKOUT);
    expect(data.git_url).toContain(`/git/blobs/${data.sha}`);

    const dir = await bot.rest.repos.getContent({ owner: OWNER, repo: name, path: "apps", ref: "main" });
    expect(Array.isArray(dir.data)).toBe(true);
    expect((dir.data as { type: string; name: string; path: string }[]).map((e) => [e.type, e.name, e.path])).toEqual([
      ["dir", "checkout", "apps/checkout"],
      ["dir", "payments", "apps/payments"],
    ]);
    const root = await bot.rest.repos.getContent({ owner: OWNER, repo: name, path: "" });
    expect((root.data as { type: string; path: string }[]).map((e) => [e.type, e.path])).toEqual([
      ["file", "README.md"],
      ["dir", "apps"],
    ]);

    expect(await statusOf(bot.rest.repos.getContent({ owner: OWNER, repo: name, path: "apps/checkout/hpa.yaml" }))).toEqual({ status: 404, message: "Not Found" });
    expect(await statusOf(bot.rest.repos.getContent({ owner: OWNER, repo: name, path: "README.md", ref: "release/9.9" }))).toEqual({ status: 404, message: "No commit found for the ref release/9.9" });
  });

  it("merges a pull request as a second user: main holds the change and the pull shows who merged it", async () => {
    const { repo, name } = seeded();
    const pull = await propose(name, "scale-checkout", { "apps/checkout/deployment.yaml": CHECKOUT.replace("replicas: 2", "replicas: 4") });
    const before = await bot.rest.pulls.get({ owner: OWNER, repo: name, pull_number: pull.number });
    expect(before.data).toMatchObject({ state: "open", merged: false, mergeable: true, merged_at: null, merged_by: null, user: { login: "autodevops-bot" }, title: "Change scale-checkout", body: "Proposed by the bot." });
    const mainBefore = repo.resolve("main") ?? "";

    const merged = await alice.rest.pulls.merge({ owner: OWNER, repo: name, pull_number: pull.number, sha: pull.head.sha });
    expect(merged.data).toEqual({ sha: expect.stringMatching(/^[0-9a-f]{40}$/), merged: true, message: "Pull Request successfully merged" });

    expect(repo.resolve("main")).toBe(merged.data.sha);
    expect(repo.git.commit(merged.data.sha)).toMatchObject({ parents: [mainBefore, pull.head.sha], login: "alice", message: `Merge pull request #${pull.number} from ${OWNER}/scale-checkout\n\nChange scale-checkout` });
    const files = repo.filesAt("main");
    expect(files.get("apps/checkout/deployment.yaml")).toBe(CHECKOUT.replace("replicas: 2", "replicas: 4"));
    expect(files.get("apps/payments/deployment.yaml")).toBe(SEED["apps/payments/deployment.yaml"]);

    const after = await bot.rest.pulls.get({ owner: OWNER, repo: name, pull_number: pull.number });
    expect(after.data).toMatchObject({ state: "closed", merged: true, merged_by: { login: "alice" }, merge_commit_sha: merged.data.sha, merged_at: expect.any(String), closed_at: expect.any(String), head: { ref: "scale-checkout", sha: pull.head.sha }, base: { ref: "main" } });
    expect(after.data.html_url).toMatch(new RegExp(`/${OWNER}/${name}/pull/${pull.number}$`));
    // The merged pull's own files are still the change it brought.
    expect(repo.pullFiles(repo.pulls[0]!).map((f) => [f.filename, f.status])).toEqual([["apps/checkout/deployment.yaml", "modified"]]);

    expect(await statusOf(alice.rest.pulls.merge({ owner: OWNER, repo: name, pull_number: pull.number }))).toEqual({ status: 405, message: "Pull Request is not mergeable" });
    expect(repo.resolve("main")).toBe(merged.data.sha);
    expect(await statusOf(alice.rest.pulls.merge({ owner: OWNER, repo: name, pull_number: 99 }))).toEqual({ status: 404, message: "Not Found" });
  });

  it("squashes to one commit with one parent, and rebases by replaying the pull's commits", async () => {
    const { repo, name } = seeded();
    const squash = await propose(name, "squash-me", { "apps/payments/deployment.yaml": "replicas: 5\nimage: payments:2.0.0\n" });
    const rebase = await propose(name, "rebase-me", { "apps/checkout/service.yaml": "port: 9090\n" });
    const base = repo.resolve("main");
    const s = await alice.rest.pulls.merge({ owner: OWNER, repo: name, pull_number: squash.number, merge_method: "squash", commit_title: "Scale payments" });
    expect(repo.git.commit(s.data.sha)).toMatchObject({ parents: [base], message: "Scale payments\n\n* change on squash-me" });
    const r = await alice.rest.pulls.merge({ owner: OWNER, repo: name, pull_number: rebase.number, merge_method: "rebase" });
    expect(repo.git.commit(r.data.sha)).toMatchObject({ parents: [s.data.sha], message: "change on rebase-me", login: "autodevops-bot" });
    expect(repo.filesAt("main")).toEqual(new Map([...Object.entries(SEED), ["apps/payments/deployment.yaml", "replicas: 5\nimage: payments:2.0.0\n"], ["apps/checkout/service.yaml", "port: 9090\n"]]));
    expect(await statusOf(alice.request(`PUT /repos/${OWNER}/${name}/pulls/1/merge`, { merge_method: "octopus" }))).toMatchObject({ status: 422 });
  });

  it("refuses with 405 a pull whose file the base changed since it was opened, and changes nothing", async () => {
    const { repo, name } = seeded();
    const pull = await propose(name, "bump-checkout", { "apps/checkout/deployment.yaml": CHECKOUT.replace("1.4.0", "1.5.0") });
    repo.commit("main", { message: "hotfix checkout by hand", files: { "apps/checkout/deployment.yaml": CHECKOUT.replace("1.4.0", "1.4.1") } });
    const main = repo.resolve("main");

    expect((await bot.rest.pulls.get({ owner: OWNER, repo: name, pull_number: pull.number })).data).toMatchObject({ mergeable: false, mergeable_state: "dirty" });
    expect(await statusOf(alice.rest.pulls.merge({ owner: OWNER, repo: name, pull_number: pull.number }))).toEqual({ status: 405, message: "Pull Request is not mergeable" });
    expect(repo.resolve("main")).toBe(main);
    expect(repo.filesAt("main").get("apps/checkout/deployment.yaml")).toContain("1.4.1");
    expect((await bot.rest.pulls.get({ owner: OWNER, repo: name, pull_number: pull.number })).data).toMatchObject({ state: "open", merged: false, merge_commit_sha: null });
    expect(repo.mergePull(pull.number, { by: "alice" })).toEqual({ ok: false, error: { code: "not_mergeable", reason: "conflict", paths: ["apps/checkout/deployment.yaml"] } });
  });

  it("merges a pull cleanly when the base changed other files since it was opened", async () => {
    const { repo, name } = seeded();
    const pull = await propose(name, "bump-payments", { "apps/payments/deployment.yaml": "replicas: 3\nimage: payments:2.1.0\n" });
    repo.commit("main", { message: "docs", files: { "README.md": "# estate\n\nOwned by SRE.\n" } });
    const merged = repo.mergePull(pull.number, { by: "alice", method: "squash" });
    if (!merged.ok) throw new Error(JSON.stringify(merged.error));
    expect(repo.filesAt("main").get("README.md")).toBe("# estate\n\nOwned by SRE.\n");
    expect(repo.filesAt("main").get("apps/payments/deployment.yaml")).toBe("replicas: 3\nimage: payments:2.1.0\n");
    expect(repo.pulls.find((p) => p.number === pull.number)).toMatchObject({ state: "closed", mergedBy: "alice", mergeCommitSha: merged.value.sha });
  });

  it("refuses with 409 a merge whose sha is no longer the head's", async () => {
    const { repo, name } = seeded();
    const pull = await propose(name, "tune-checkout", { "apps/checkout/service.yaml": "port: 8081\n" });
    repo.commit("tune-checkout", { message: "one more change", files: { "apps/checkout/service.yaml": "port: 8082\n" } });
    const main = repo.resolve("main");
    expect(await statusOf(alice.rest.pulls.merge({ owner: OWNER, repo: name, pull_number: pull.number, sha: pull.head.sha }))).toEqual({ status: 409, message: "Head branch was modified. Review and try the merge again." });
    expect(repo.resolve("main")).toBe(main);
    const now = await bot.rest.pulls.get({ owner: OWNER, repo: name, pull_number: pull.number });
    expect(now.data.head.sha).toBe(repo.resolve("tune-checkout"));
    await alice.rest.pulls.merge({ owner: OWNER, repo: name, pull_number: pull.number, sha: now.data.head.sha });
    expect(repo.filesAt("main").get("apps/checkout/service.yaml")).toBe("port: 8082\n");
  });

  it("closes a pull without merging it, which then cannot be merged", async () => {
    const { repo, name } = seeded();
    const pull = await propose(name, "abandon", { "apps/checkout/service.yaml": "port: 1\n" });
    const closed = await bot.rest.pulls.update({ owner: OWNER, repo: name, pull_number: pull.number, state: "closed", title: "Abandoned change" });
    expect(closed.data).toMatchObject({ state: "closed", merged: false, merged_at: null, merged_by: null, merge_commit_sha: null, closed_at: expect.any(String), title: "Abandoned change", mergeable: null });
    expect(await statusOf(alice.rest.pulls.merge({ owner: OWNER, repo: name, pull_number: pull.number }))).toEqual({ status: 405, message: "Pull Request is not mergeable" });
    expect(repo.filesAt("main").get("apps/checkout/service.yaml")).toBe("port: 8080\n");
    expect(await statusOf(bot.rest.pulls.update({ owner: OWNER, repo: name, pull_number: 42, state: "closed" }))).toEqual({ status: 404, message: "Not Found" });
  });

  it("comments on a pull request's conversation, lists the comments page by page, and shows the pull as an issue", async () => {
    const { repo, name } = seeded();
    const pull = await propose(name, "discuss", { "apps/checkout/service.yaml": "port: 8443\n" });
    const first = await bot.rest.issues.createComment({ owner: OWNER, repo: name, issue_number: pull.number, body: "Plan: move checkout to TLS." });
    expect(first.status).toBe(201);
    expect(first.data).toMatchObject({ body: "Plan: move checkout to TLS.", user: { login: "autodevops-bot" }, created_at: expect.any(String), updated_at: expect.any(String), node_id: expect.any(String) });
    expect(first.data.html_url).toContain(`/pull/${pull.number}#issuecomment-${first.data.id}`);
    expect(first.data.issue_url).toMatch(new RegExp(`/issues/${pull.number}$`));
    await alice.rest.issues.createComment({ owner: OWNER, repo: name, issue_number: pull.number, body: "Approved." });
    await bot.rest.issues.createComment({ owner: OWNER, repo: name, issue_number: pull.number, body: "Merging." });

    const onePage = await bot.rest.issues.listComments({ owner: OWNER, repo: name, issue_number: pull.number, per_page: 2 });
    expect(onePage.data.map((c) => c.body)).toEqual(["Plan: move checkout to TLS.", "Approved."]);
    expect(onePage.headers.link).toContain('rel="next"');
    const all = await bot.paginate(bot.rest.issues.listComments, { owner: OWNER, repo: name, issue_number: pull.number, per_page: 2 });
    expect(all.map((c) => [c.user?.login, c.body])).toEqual([
      ["autodevops-bot", "Plan: move checkout to TLS."],
      ["alice", "Approved."],
      ["autodevops-bot", "Merging."],
    ]);
    expect(repo.comments(pull.number).map((c) => c.user)).toEqual(["autodevops-bot", "alice", "autodevops-bot"]);

    const asIssue = await bot.rest.issues.get({ owner: OWNER, repo: name, issue_number: pull.number });
    expect(asIssue.data).toMatchObject({ number: pull.number, state: "open", comments: 3, title: "Change discuss", pull_request: { url: expect.stringContaining(`/pulls/${pull.number}`), merged_at: null } });
    expect((await bot.rest.pulls.get({ owner: OWNER, repo: name, pull_number: pull.number })).data.comments).toBe(3);

    expect(await statusOf(bot.rest.issues.createComment({ owner: OWNER, repo: name, issue_number: 77, body: "nobody home" }))).toEqual({ status: 404, message: "Not Found" });
    expect(await statusOf(bot.rest.issues.get({ owner: OWNER, repo: name, issue_number: 77 }))).toEqual({ status: 404, message: "Not Found" });
    expect(await statusOf(bot.request(`POST /repos/${OWNER}/${name}/issues/${pull.number}/comments`, {}))).toEqual({ status: 422, message: "Validation Failed" });
  });

  it("comments on a plain issue and shows it without a pull_request key", async () => {
    const { repo, name } = seeded();
    const issue = repo.openIssue({ title: "Checkout is slow", user: "alice" });
    await bot.rest.issues.createComment({ owner: OWNER, repo: name, issue_number: issue.number, body: "Looking." });
    const got = await bot.rest.issues.get({ owner: OWNER, repo: name, issue_number: issue.number });
    expect(got.data).toMatchObject({ number: issue.number, title: "Checkout is slow", comments: 1 });
    expect(got.data).not.toHaveProperty("pull_request");
    expect(repo.comments(issue.number)).toMatchObject([{ body: "Looking.", user: "autodevops-bot" }]);
  });

  it("answers 401 Bad credentials to a token it does not know", async () => {
    const { name } = seeded();
    const stranger = new Octokit({ auth: "ghp_NotAKnownToken000000000000000000000000", baseUrl: gh.url, throttle: { enabled: false } });
    expect(await statusOf(stranger.rest.repos.getContent({ owner: OWNER, repo: name, path: "README.md" }))).toEqual({ status: 401, message: "Bad credentials" });
    expect(await statusOf(stranger.rest.pulls.merge({ owner: OWNER, repo: name, pull_number: 1 }))).toEqual({ status: 401, message: "Bad credentials" });
  });
});
