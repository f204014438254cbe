import { createLogger } from "@autodevops/shared";
import type { ServerSpec } from "../core/create-server.js";
import { startGitHubStandIn, type GitHubStandIn } from "../../../../test/stand-ins/github/server.js";
import { githubServer } from "./server.js";

/** The token the stand-in accepts; every test checks it never comes back in a result. */
export const STAND_IN_TOKEN = "ghp_StandInToken0123456789abcdefABCDEF";
export const REPO = "acme/payments";
export const OTHER_REPO = "acme/ledger";
/** Files on the big pull request's branch: more than two pages of GitHub's file list. */
export const BIG_PR_FILES = 250;

const quiet = createLogger({ service: "github-test", level: "silent" });

/**
 * A stand-in GitHub with `acme/payments` (three commits on main, a large open pull request, a
 * merged one, deployments with statuses, releases) and an empty `acme/ledger`.
 */
export async function startSeededGitHub(): Promise<GitHubStandIn> {
  const gh = await startGitHubStandIn({ token: STAND_IN_TOKEN, login: "autodevops-bot" });
  const r = gh.addRepo(REPO);
  const alice = { name: "Alice", email: "alice@acme.test", login: "alice" };
  const bob = { name: "Bob", email: "bob@acme.test", login: "bob" };
  r.commit("main", { message: "initial import", author: alice, date: "2024-05-01T10:00:00Z", files: { "README.md": "# payments\n", "deploy/payments/deployment.yaml": "replicas: 2\nimage: payments:1.1.0\n", "src/app.ts": "export const retries = 0;\n" } });
  r.commit("main", { message: "deploy: payments 1.2.0\n\nRolls out the new ledger client.", author: bob, date: "2024-05-02T10:00:00Z", files: { "deploy/payments/deployment.yaml": "replicas: 2\nimage: payments:1.2.0\n" } });
  r.commit("main", { message: "fix: retry the database connection", author: alice, date: "2024-05-03T10:00:00Z", files: { "src/app.ts": "export const retries = 3;\n" } });

  r.branch("fix/timeout", "main");
  r.commit("fix/timeout", { message: "raise the client timeout", author: bob, date: "2024-05-03T12:00:00Z", files: { "src/app.ts": "export const retries = 3;\nexport const timeoutMs = 5000;\n" } });
  const merged = r.openPull({ title: "Raise the client timeout", body: "Payments timed out under load.", head: "fix/timeout", base: "main", user: "bob", createdAt: "2024-05-03T12:05:00Z" });
  r.closePull(merged.number, { merged: true, at: "2024-05-04T09:00:00Z", by: "carol" });

  r.branch("feature/fixtures", "main");
  const generated: Record<string, string> = { "README.md": "# payments\n\nWith fixtures.\n" };
  for (let i = 0; i < BIG_PR_FILES - 1; i++) generated[`fixtures/case-${String(i).padStart(3, "0")}.json`] = `{"case": ${i}}\n`;
  r.commit("feature/fixtures", { message: "generate fixtures", author: alice, date: "2024-05-05T10:00:00Z", files: generated });
  r.openPull({ title: "Generate test fixtures", body: "Adds generated cases.", head: "feature/fixtures", base: "main", user: "alice", createdAt: "2024-05-05T10:05:00Z" });

  r.addDeployment({ environment: "production", ref: "main", creator: "bob", createdAt: "2024-05-02T12:00:00Z", statuses: [{ state: "in_progress", createdAt: "2024-05-02T12:00:05Z" }, { state: "success", description: "rolled out", createdAt: "2024-05-02T12:03:00Z" }] });
  r.addDeployment({ environment: "staging", ref: "fix/timeout", creator: "bob", createdAt: "2024-05-03T13:00:00Z", statuses: [{ state: "failure", description: "readiness probe failed", createdAt: "2024-05-03T13:04:00Z" }] });
  r.addDeployment({ environment: "production", ref: "main", creator: "alice", createdAt: "2024-05-04T12:00:00Z" });

  r.addRelease({ tagName: "v1.1.0", name: "1.1.0", publishedAt: "2024-04-20T09:00:00Z", author: "bob" });
  r.addRelease({ tagName: "v1.2.0", name: "1.2.0", publishedAt: "2024-05-02T11:00:00Z", author: "bob" });
  r.addRelease({ tagName: "v1.3.0-rc.1", name: "1.3.0 rc 1", prerelease: true, publishedAt: "2024-05-05T11:00:00Z", author: "alice" });

  const ledger = gh.addRepo(OTHER_REPO, { defaultBranch: "trunk" });
  ledger.commit("trunk", { message: "start", date: "2024-05-01T00:00:00Z", files: { "README.md": "# ledger\n" } });
  return gh;
}

/** The github server pointed at the stand-in. */
export function standInServer(gh: GitHubStandIn, opts: { token?: string; repositories?: string[]; now?: () => Date } = {}): ServerSpec {
  return githubServer({ token: opts.token ?? STAND_IN_TOKEN, apiUrl: gh.url, repositories: opts.repositories ?? [], log: quiet, ...(opts.now ? { now: opts.now } : {}) });
}
