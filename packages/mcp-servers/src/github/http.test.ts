import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectHttp, textOf } from "../testing/connect.js";
import type { GitHubStandIn } from "../../../../test/stand-ins/github/server.js";
import { OTHER_REPO, REPO, STAND_IN_TOKEN, standInServer, startSeededGitHub } from "./test-fixture.js";

describe("github server over Streamable HTTP", () => {
  let gh: GitHubStandIn;
  let conn: Awaited<ReturnType<typeof connectHttp>>;
  beforeAll(async () => {
    gh = await startSeededGitHub();
    conn = await connectHttp(standInServer(gh, { repositories: [REPO] }), { bearerToken: "mcp-http-token" });
  });
  afterAll(async () => {
    await conn?.close();
    await gh?.close();
  });
  const call = (name: string, args: Record<string, unknown>) => conn.client.callTool({ name, arguments: args });

  it("serves all seven tools, each read tool answering", async () => {
    const { tools } = await conn.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["deployments", "get_pull_request", "open_issue", "open_pull_request_from_changes", "pull_requests", "recent_commits", "releases"]);
    const results = await Promise.all([
      call("recent_commits", { repo: REPO, limit: 3 }),
      call("pull_requests", { repo: REPO, state: "all" }),
      call("get_pull_request", { repo: REPO, number: 1 }),
      call("deployments", { repo: REPO }),
      call("releases", { repo: REPO }),
    ]);
    for (const r of results) expect(r.isError, textOf(r)).toBeFalsy();
    expect((results[0]?.structuredContent as { commits: unknown[] }).commits).toHaveLength(3);
    expect((results[1]?.structuredContent as { pulls: unknown[] }).pulls).toHaveLength(2);
    expect(results[2]?.structuredContent).toMatchObject({ number: 1, merged: true });
    expect((results[3]?.structuredContent as { deployments: unknown[] }).deployments).toHaveLength(3);
    expect((results[4]?.structuredContent as { releases: unknown[] }).releases).toHaveLength(3);
  });

  it("opens an issue and a pull request from changes", async () => {
    const issue = await call("open_issue", { repo: REPO, title: "Follow-up: alert on retries" });
    expect(issue.structuredContent).toMatchObject({ number: 3 });
    const pr = await call("open_pull_request_from_changes", { repo: REPO, branch: "autodevops/http", title: "Over HTTP", files: [{ path: "deploy/payments/pdb.yaml", content: "minAvailable: 1\n" }] });
    expect(pr.isError, textOf(pr)).toBeFalsy();
    expect(gh.repo(REPO).filesAt("autodevops/http").get("deploy/payments/pdb.yaml")).toBe("minAvailable: 1\n");
  });

  it("returns errors as isError results, not protocol errors", async () => {
    const refused = await call("releases", { repo: OTHER_REPO });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/not in this server's allowlist/);
    const malformed = await call("get_pull_request", { repo: REPO, number: "one" });
    expect(malformed.isError).toBe(true);
    expect(textOf(malformed)).toMatch(/number/);
    expect(JSON.stringify([refused, malformed])).not.toContain(STAND_IN_TOKEN);
  });
});
