import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectInMemory, textOf } from "../testing/connect.js";
import type { GitHubStandIn } from "../../../../test/stand-ins/github/server.js";
import { OTHER_REPO, REPO, STAND_IN_TOKEN, standInServer, startSeededGitHub } from "./test-fixture.js";

describe("github write tools against the GitHub stand-in (in memory)", () => {
  let gh: GitHubStandIn;
  let conn: Awaited<ReturnType<typeof connectInMemory>>;
  beforeAll(async () => {
    gh = await startSeededGitHub();
    conn = await connectInMemory(standInServer(gh));
  });
  afterAll(async () => {
    await conn?.close();
    await gh?.close();
  });
  const call = (name: string, args: Record<string, unknown>) => conn.client.callTool({ name, arguments: args });

  it("opens an issue with its labels", async () => {
    const r = await call("open_issue", { repo: REPO, title: "Postmortem: payments timeouts", body: "## Timeline\n- 10:00 alert", labels: ["incident", "postmortem"] });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ repo: REPO, number: 3, title: "Postmortem: payments timeouts", labels: ["incident", "postmortem"], url: expect.stringMatching(/\/acme\/payments\/issues\/3$/) });
    expect(gh.repo(REPO).issues.at(-1)).toMatchObject({ title: "Postmortem: payments timeouts", body: "## Timeline\n- 10:00 alert", user: "autodevops-bot" });
  });

  it("opens a pull request whose new branch holds exactly the changed files", async () => {
    const r = await call("open_pull_request_from_changes", {
      repo: REPO,
      branch: "autodevops/scale-payments",
      title: "Scale payments to 4 replicas",
      body: "Reason: CPU saturation on payments.\n\nEvidence: p99 latency 2.1 s.",
      files: [
        { path: "deploy/payments/deployment.yaml", content: "replicas: 4\nimage: payments:1.2.0\n" },
        { path: "deploy/payments/hpa.yaml", content: "minReplicas: 4\n" },
        { path: "README.md", delete: true },
      ],
    });
    expect(r.isError, textOf(r)).toBeFalsy();
    const out = r.structuredContent as { number: number; branch: string; base: string; commit: string; written: number; deleted: number; url: string };
    expect(out).toMatchObject({ number: 4, branch: "autodevops/scale-payments", base: "main", written: 2, deleted: 1, url: expect.stringMatching(/\/pull\/4$/) });

    const repo = gh.repo(REPO);
    const files = repo.filesAt("autodevops/scale-payments");
    expect(files.get("deploy/payments/deployment.yaml")).toBe("replicas: 4\nimage: payments:1.2.0\n");
    expect(files.get("deploy/payments/hpa.yaml")).toBe("minReplicas: 4\n");
    expect(files.has("README.md")).toBe(false);
    expect(files.get("src/app.ts")).toBe("export const retries = 3;\n");
    expect(repo.filesAt("main").get("deploy/payments/deployment.yaml")).toBe("replicas: 2\nimage: payments:1.2.0\n");

    const commit = repo.git.commit(out.commit);
    expect(commit).toMatchObject({ message: "Scale payments to 4 replicas", parents: [repo.resolve("main")] });
    const pull = repo.pulls.find((p) => p.number === out.number);
    expect(pull).toMatchObject({ state: "open", head: { ref: "autodevops/scale-payments", sha: out.commit }, base: { ref: "main" }, body: expect.stringContaining("CPU saturation") });
    expect(repo.pullFiles(pull!).map((f) => [f.filename, f.status])).toEqual([
      ["README.md", "removed"],
      ["deploy/payments/deployment.yaml", "modified"],
      ["deploy/payments/hpa.yaml", "added"],
    ]);
  });

  it("uses the repository's default branch as the base when none is given", async () => {
    const r = await call("open_pull_request_from_changes", { repo: OTHER_REPO, branch: "docs", title: "Describe the ledger", files: [{ path: "docs/ledger.md", content: "# Ledger\n" }], draft: true });
    expect(r.structuredContent).toMatchObject({ base: "trunk", written: 1, deleted: 0 });
    expect(gh.repo(OTHER_REPO).pulls[0]).toMatchObject({ draft: true, base: { ref: "trunk" } });
  });

  it("refuses a branch that already exists, and writes nothing", async () => {
    const writesBefore = gh.requests.filter((q) => q.method !== "GET").length;
    const r = await call("open_pull_request_from_changes", { repo: REPO, branch: "fix/timeout", title: "Again", files: [{ path: "x.txt", content: "x" }] });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toBe("branch fix/timeout already exists in acme/payments: choose another branch name");
    expect(gh.requests.filter((q) => q.method !== "GET").length).toBe(writesBefore);
  });

  it("reports an unknown base branch as not found", async () => {
    const r = await call("open_pull_request_from_changes", { repo: REPO, base: "release/9", branch: "autodevops/x", title: "X", files: [{ path: "x.txt", content: "x" }] });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/^base branch release\/9 of acme\/payments not found on GitHub \(404 Not Found\)/);
  });

  it("passes GitHub's refusal of a change back, and leaves no branch behind", async () => {
    const r = await call("open_pull_request_from_changes", { repo: REPO, branch: "autodevops/delete-missing", title: "Delete a missing file", files: [{ path: "no/such/file.yaml", delete: true }] });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/GitHub rejected the change's tree in acme\/payments \(422 .*no\/such\/file\.yaml/);
    expect(gh.repo(REPO).resolve("autodevops/delete-missing")).toBeUndefined();
  });

  it("refuses a change set that repeats a path or escapes the repository, naming the field", async () => {
    const dup = await call("open_pull_request_from_changes", { repo: REPO, branch: "b1", title: "t", files: [{ path: "a", content: "1" }, { path: "a", content: "2" }] });
    expect(dup.isError).toBe(true);
    expect(textOf(dup)).toMatch(/files/);
    expect(textOf(dup)).toMatch(/each path may appear only once/);
    const escape = await call("open_pull_request_from_changes", { repo: REPO, branch: "b1", title: "t", files: [{ path: "../etc/passwd", content: "x" }] });
    expect(escape.isError).toBe(true);
    expect(textOf(escape)).toMatch(/relative path inside the repository/);
    const badBranch = await call("open_pull_request_from_changes", { repo: REPO, branch: "has space..lock", title: "t", files: [{ path: "a", content: "1" }] });
    expect(textOf(badBranch)).toMatch(/branch/);
    const tooMany = await call("open_pull_request_from_changes", { repo: REPO, branch: "b1", title: "t", files: Array.from({ length: 51 }, (_, i) => ({ path: `f${i}`, content: "x" })) });
    expect(textOf(tooMany)).toMatch(/files/);
  });

  it("never returns the token from a write", async () => {
    const r = await call("open_issue", { repo: REPO, title: `token? ${"t".repeat(3)}` });
    expect(JSON.stringify(r)).not.toContain(STAND_IN_TOKEN);
  });
});
