import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectInMemory, textOf } from "../testing/connect.js";
import type { GitHubStandIn } from "../../../../test/stand-ins/github/server.js";
import { OTHER_REPO, REPO, STAND_IN_TOKEN, standInServer, startSeededGitHub } from "./test-fixture.js";

describe("github tools' errors", () => {
  let gh: GitHubStandIn;
  const outputs: string[] = [];
  const connections: { close(): Promise<void> }[] = [];
  async function client(opts: Parameters<typeof standInServer>[1] = {}) {
    const conn = await connectInMemory(standInServer(gh, opts));
    connections.push(conn);
    return async (name: string, args: Record<string, unknown>) => {
      const r = await conn.client.callTool({ name, arguments: args });
      outputs.push(JSON.stringify(r));
      return r;
    };
  }
  beforeAll(async () => {
    gh = await startSeededGitHub();
  });
  afterAll(async () => {
    for (const c of connections) await c.close();
    await gh?.close();
  });

  it("says GitHub rejected the token, without echoing it", async () => {
    const badToken = "ghp_WrongToken9876543210zyxwvutsrqponm";
    const call = await client({ token: badToken });
    const r = await call("recent_commits", { repo: REPO });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toBe("GitHub rejected the token (401 Bad credentials): check GITHUB_TOKEN");
    expect(JSON.stringify(r)).not.toContain(badToken);
  });

  it("reports an unknown repository as not found", async () => {
    const call = await client();
    const r = await call("pull_requests", { repo: "acme/nope" });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toBe("pull requests of acme/nope not found on GitHub (404 Not Found), or the token cannot see it");
  });

  it("reports an unknown pull request by number", async () => {
    const call = await client();
    const r = await call("get_pull_request", { repo: REPO, number: 999 });
    expect(textOf(r)).toMatch(/^pull request #999 of acme\/payments not found on GitHub \(404/);
  });

  it("refuses a repository outside the allowlist without asking GitHub", async () => {
    const call = await client({ repositories: [REPO] });
    const before = gh.requests.length;
    for (const [tool, args] of [
      ["recent_commits", {}],
      ["open_issue", { title: "x" }],
      ["open_pull_request_from_changes", { branch: "b", title: "t", files: [{ path: "a", content: "b" }] }],
    ] as const) {
      const r = await call(tool, { repo: OTHER_REPO, ...args });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toBe("repository acme/ledger is not in this server's allowlist (GITHUB_REPOSITORIES); allowed: acme/payments");
    }
    expect(gh.requests.length).toBe(before);
    const allowed = await call("releases", { repo: "ACME/Payments" });
    expect(allowed.isError).toBeFalsy();
  });

  it("answers malformed arguments with isError naming each bad field", async () => {
    const call = await client();
    const r = await call("recent_commits", { repo: "not-a-repo", limit: 500, since: "yesterday" });
    expect(r.isError).toBe(true);
    for (const field of ["repo", "limit", "since"]) expect(textOf(r)).toContain(field);
    expect(textOf(r)).toMatch(/owner\/name/);
    const issue = await call("open_issue", { repo: REPO });
    expect(textOf(issue)).toMatch(/title/);
  });

  it("fails fast on an exhausted rate limit and says when it resets", async () => {
    const call = await client({ now: () => new Date("2030-01-01T00:00:00Z") });
    gh.setRateLimit(0, new Date("2030-01-01T00:30:00Z"));
    try {
      const started = performance.now();
      const r = await call("releases", { repo: REPO });
      expect(performance.now() - started).toBeLessThan(3000);
      expect(r.isError).toBe(true);
      expect(textOf(r)).toBe("GitHub API rate limit exhausted (403 API rate limit exceeded for user ID 1.); it resets at 2030-01-01T00:30:00.000Z (in 30 min): retry after that");
    } finally {
      gh.setRateLimit(5000);
    }
  });

  it("retries a GitHub server error on a read and succeeds", async () => {
    const call = await client();
    gh.failNext("GET", /\/releases$/, 502, "Server Error");
    const r = await call("releases", { repo: REPO, limit: 1 });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(gh.requests.filter((q) => q.path.endsWith("/releases")).length).toBeGreaterThanOrEqual(2);
  });

  it("removes the new branch again when the pull request cannot be opened", async () => {
    const call = await client();
    gh.failNext("POST", /\/pulls$/, 422, "Validation Failed");
    const r = await call("open_pull_request_from_changes", { repo: REPO, branch: "autodevops/doomed", title: "Doomed", files: [{ path: "a.txt", content: "a" }] });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toBe("GitHub rejected a pull request from autodevops/doomed into main of acme/payments (422 Validation Failed); branch autodevops/doomed was removed again");
    expect(gh.repo(REPO).resolve("autodevops/doomed")).toBeUndefined();
    expect(gh.requests.filter((q) => q.method === "POST" && q.path.endsWith("/pulls"))).toHaveLength(1);
  });

  it("redacts the token even when GitHub's own message quotes it", async () => {
    const call = await client();
    gh.failNext("GET", /\/deployments$/, 403, `token ${STAND_IN_TOKEN} lacks repo_deployment`);
    const r = await call("deployments", { repo: REPO });
    expect(textOf(r)).toBe("GitHub refused deployments of acme/payments (403 token [redacted] lacks repo_deployment): the token lacks the permission");
  });

  it("never returned the token in any output above", () => {
    expect(outputs.length).toBeGreaterThan(10);
    for (const o of outputs) expect(o).not.toContain(STAND_IN_TOKEN);
  });
});
