import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { GitHubStandIn } from "../../../../test/stand-ins/github/server.js";
import { REPO, STAND_IN_TOKEN, startSeededGitHub } from "./test-fixture.js";

const BIN = fileURLToPath(new URL("../../bin/autodevops-mcp-github.mjs", import.meta.url));

describe("the autodevops-mcp-github binary", () => {
  let gh: GitHubStandIn;
  beforeAll(async () => {
    gh = await startSeededGitHub();
  });
  afterAll(async () => gh?.close());

  it("serves the tools over stdio, configured from the environment", async () => {
    const client = new Client({ name: "test", version: "0.0.0" });
    const env = { PATH: process.env.PATH ?? "", GITHUB_TOKEN: STAND_IN_TOKEN, GITHUB_API_URL: gh.url, GITHUB_REPOSITORIES: REPO, LOG_LEVEL: "silent" };
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN], env, stderr: "pipe" }));
    try {
      expect((await client.listTools()).tools).toHaveLength(7);
      const r = await client.callTool({ name: "releases", arguments: { repo: REPO, limit: 1 } });
      expect(r.structuredContent).toMatchObject({ releases: [{ tag: "v1.3.0-rc.1" }] });
    } finally {
      await client.close();
    }
  });

  it("refuses to start without GITHUB_TOKEN, saying why", async () => {
    const run = promisify(execFile)(process.execPath, [BIN], { env: { PATH: process.env.PATH ?? "" }, timeout: 60_000 });
    const failure = await run.then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toMatch(/GITHUB_TOKEN is required/);
  });
});
