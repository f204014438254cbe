import { describe, expect, it } from "vitest";
import { parseGitHubConfig } from "./config.js";

describe("github server configuration", () => {
  it("reads the token, the API URL and the allowlist", () => {
    expect(parseGitHubConfig({ GITHUB_TOKEN: "ghp_x", GITHUB_API_URL: "https://ghe.acme.test/api/v3/", GITHUB_REPOSITORIES: "acme/payments, acme/deploy" })).toEqual({
      ok: true,
      value: { token: "ghp_x", apiUrl: "https://ghe.acme.test/api/v3", repositories: ["acme/payments", "acme/deploy"] },
    });
  });

  it("defaults to api.github.com and no allowlist", () => {
    expect(parseGitHubConfig({ GITHUB_TOKEN: "ghp_x", GITHUB_API_URL: "" })).toEqual({ ok: true, value: { token: "ghp_x", apiUrl: "https://api.github.com", repositories: [] } });
  });

  it("names every bad variable at once, without echoing the token", () => {
    const r = parseGitHubConfig({ GITHUB_API_URL: "ftp://nope", GITHUB_REPOSITORIES: "acme" });
    expect(r.ok).toBe(false);
    const message = r.ok ? "" : r.error;
    expect(message).toMatch(/GITHUB_TOKEN is required/);
    expect(message).toMatch(/GITHUB_API_URL/);
    expect(message).toMatch(/GITHUB_REPOSITORIES/);
    const blank = parseGitHubConfig({ GITHUB_TOKEN: "   " });
    expect(blank).toEqual({ ok: false, error: expect.stringContaining("GITHUB_TOKEN is empty") });
  });
});
