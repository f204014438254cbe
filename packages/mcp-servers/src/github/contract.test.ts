import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@autodevops/shared";
import { connectInMemory, textOf } from "../testing/connect.js";
import { parseGitHubConfig } from "./config.js";
import { githubServer } from "./server.js";

// The stand-in is only as true as our reading of GitHub's API: this runs the read tools against
// GitHub itself (or GITHUB_API_URL) when a token and a repository to read are given.
const env = process.env;
const enabled = Boolean(env.GITHUB_TOKEN && env.GITHUB_CONTRACT_REPO);

describe.runIf(enabled)("github read tools against real GitHub (contract)", () => {
  const repo = env.GITHUB_CONTRACT_REPO ?? "";
  const token = env.GITHUB_TOKEN ?? "";
  const log = createLogger({ service: "github-contract", level: "silent" });
  let conn: Awaited<ReturnType<typeof connectInMemory>>;
  const outputs: string[] = [];
  const call = async (name: string, args: Record<string, unknown>) => {
    const r = await conn.client.callTool({ name, arguments: args });
    outputs.push(JSON.stringify(r));
    return r;
  };
  beforeAll(async () => {
    const config = parseGitHubConfig({ GITHUB_TOKEN: token, GITHUB_API_URL: env.GITHUB_API_URL });
    if (!config.ok) throw new Error(config.error);
    conn = await connectInMemory(githubServer({ ...config.value, repositories: [], log }));
  });
  afterAll(async () => conn?.close());

  it("lists recent commits with full shas, ISO dates and links", async () => {
    const r = await call("recent_commits", { repo, limit: 5 });
    expect(r.isError, textOf(r)).toBeFalsy();
    const { commits } = r.structuredContent as { commits: { sha: string; date: string; message: string; url: string }[] };
    expect(commits.length).toBeGreaterThan(0);
    expect(commits.length).toBeLessThanOrEqual(5);
    for (const c of commits) {
      expect(c.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(Number.isNaN(Date.parse(c.date))).toBe(false);
      expect(c.message).not.toContain("\n");
      expect(c.url).toMatch(/^https?:\/\//);
    }
  });

  it("lists pull requests, and gets the newest one with its files", async () => {
    const list = await call("pull_requests", { repo, state: "all", limit: 3 });
    expect(list.isError, textOf(list)).toBeFalsy();
    const pulls = (list.structuredContent as { pulls: { number: number }[] }).pulls;
    if (pulls[0] === undefined) return;
    const one = await call("get_pull_request", { repo, number: pulls[0].number });
    expect(one.isError, textOf(one)).toBeFalsy();
    const pr = one.structuredContent as { changedFiles: number; files: { byStatus: Record<string, number> } };
    expect(Object.values(pr.files.byStatus).reduce((a, b) => a + b, 0)).toBe(Math.min(pr.changedFiles, 1000));
  });

  it("lists deployments and releases", async () => {
    for (const [tool, key] of [["deployments", "deployments"], ["releases", "releases"]] as const) {
      const r = await call(tool, { repo, limit: 3 });
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(Array.isArray((r.structuredContent as Record<string, unknown>)[key])).toBe(true);
    }
  });

  it("reports an unknown repository as not found", async () => {
    const r = await call("releases", { repo: `${repo.split("/")[0]}/autodevops-no-such-repo-7c1e` });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/not found on GitHub \(404/);
  });

  it("never returned the token", () => {
    for (const o of outputs) expect(o).not.toContain(token);
  });
});
