import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectInMemory, textOf } from "../testing/connect.js";
import type { GitHubStandIn } from "../../../../test/stand-ins/github/server.js";
import { BIG_PR_FILES, REPO, STAND_IN_TOKEN, standInServer, startSeededGitHub } from "./test-fixture.js";

describe("github read tools against the GitHub stand-in (in memory)", () => {
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

  it("declares read tools read-only and write tools destructive", async () => {
    const { tools } = await conn.client.listTools();
    const hints = Object.fromEntries(tools.map((t) => [t.name, t.annotations?.readOnlyHint]));
    expect(hints).toEqual({ recent_commits: true, pull_requests: true, get_pull_request: true, deployments: true, releases: true, open_issue: false, open_pull_request_from_changes: false });
    for (const t of tools) for (const [field, schema] of Object.entries(t.inputSchema.properties ?? {})) expect((schema as { description?: string }).description, `${t.name}.${field}`).toBeTruthy();
  });

  it("lists recent commits newest first with author, date, first line and link", async () => {
    const r = await call("recent_commits", { repo: REPO, limit: 2 });
    expect(r.isError).toBeFalsy();
    const { commits } = r.structuredContent as { commits: { sha: string; author: string; date: string; message: string; url: string }[] };
    expect(commits.map((c) => c.message)).toEqual(["fix: retry the database connection", "deploy: payments 1.2.0"]);
    expect(commits[1]).toMatchObject({ author: "bob", date: "2024-05-02T10:00:00Z", url: expect.stringMatching(/\/acme\/payments\/commit\/[0-9a-f]{40}$/) });
  });

  it("narrows commits by path, time and branch", async () => {
    const byPath = await call("recent_commits", { repo: REPO, path: "deploy/payments" });
    expect((byPath.structuredContent as { commits: { message: string }[] }).commits.map((c) => c.message)).toEqual(["deploy: payments 1.2.0", "initial import"]);
    const since = await call("recent_commits", { repo: REPO, since: "2024-05-02T12:00:00Z" });
    expect((since.structuredContent as { commits: unknown[] }).commits).toHaveLength(1);
    const branch = await call("recent_commits", { repo: REPO, ref: "fix/timeout", limit: 1 });
    expect((branch.structuredContent as { commits: { message: string }[] }).commits[0]?.message).toBe("raise the client timeout");
  });

  it("lists pull requests by state, with merge time", async () => {
    const open = await call("pull_requests", { repo: REPO });
    expect((open.structuredContent as { pulls: { title: string }[] }).pulls.map((p) => p.title)).toEqual(["Generate test fixtures"]);
    const closed = await call("pull_requests", { repo: REPO, state: "closed" });
    expect((closed.structuredContent as { pulls: unknown[] }).pulls).toEqual([
      expect.objectContaining({ number: 1, title: "Raise the client timeout", author: "bob", merged: true, mergedAt: "2024-05-04T09:00:00Z", head: "fix/timeout", base: "main" }),
    ]);
    expect(textOf(closed)).toMatch(/1 closed pull requests in acme\/payments \(1 merged\)/);
  });

  it("gets a pull request with a summary of every changed file, across pages", async () => {
    const requestsBefore = gh.requests.length;
    const r = await call("get_pull_request", { repo: REPO, number: 2 });
    expect(r.isError).toBeFalsy();
    const pr = r.structuredContent as { changedFiles: number; files: { byStatus: Record<string, number>; listed: { path: string; status: string }[]; truncated: boolean }; merged: boolean; body: string };
    expect(pr).toMatchObject({ changedFiles: BIG_PR_FILES, merged: false, body: "Adds generated cases." });
    expect(pr.files.byStatus).toEqual({ added: BIG_PR_FILES - 1, modified: 1 });
    expect(pr.files.listed).toHaveLength(100);
    expect(pr.files.truncated).toBe(true);
    const pages = gh.requests.slice(requestsBefore).filter((q) => q.path.endsWith("/pulls/2/files"));
    expect(pages.map((q) => new URLSearchParams(q.query).get("page") ?? "1")).toEqual(["1", "2", "3"]);
  });

  it("reports who merged a merged pull request", async () => {
    const r = await call("get_pull_request", { repo: REPO, number: 1 });
    expect(r.structuredContent).toMatchObject({ merged: true, mergedBy: "carol", files: { byStatus: { modified: 1 }, listed: [{ path: "src/app.ts", status: "modified", additions: 1, deletions: 0 }], truncated: false } });
  });

  it("lists deployments with each one's latest status, filtered by environment", async () => {
    const r = await call("deployments", { repo: REPO, environment: "production" });
    const { deployments } = r.structuredContent as { deployments: { environment: string; creator: string; status: { state: string; description: string } | null }[] };
    expect(deployments).toHaveLength(2);
    expect(deployments[0]).toMatchObject({ environment: "production", creator: "alice", status: null });
    expect(deployments[1]).toMatchObject({ creator: "bob", status: { state: "success", description: "rolled out" } });
    const all = await call("deployments", { repo: REPO, limit: 5 });
    expect((all.structuredContent as { deployments: { status: { state: string } | null }[] }).deployments.map((d) => d.status?.state ?? null)).toEqual([null, "failure", "success"]);
  });

  it("lists releases newest first", async () => {
    const r = await call("releases", { repo: REPO, limit: 2 });
    expect((r.structuredContent as { releases: unknown[] }).releases).toEqual([
      expect.objectContaining({ tag: "v1.3.0-rc.1", prerelease: true, author: "alice" }),
      expect.objectContaining({ tag: "v1.2.0", prerelease: false, publishedAt: "2024-05-02T11:00:00Z", url: expect.stringContaining("/releases/tag/v1.2.0") }),
    ]);
    expect(textOf(r)).toMatch(/latest v1\.3\.0-rc\.1/);
  });

  it("sends the token to GitHub and never returns it", async () => {
    const r = await call("recent_commits", { repo: REPO, limit: 100 });
    expect(JSON.stringify(r)).not.toContain(STAND_IN_TOKEN);
  });
});
