import { Octokit } from "octokit";
import { describe } from "vitest";
import { createLogger } from "@autodevops/shared";
import { GitOpsRepo } from "./gitops-repo.js";
import { gitOpsRepoSuite } from "./gitops-repo.suite.js";

// The GitOps path against GitHub itself (or GITHUB_API_URL's Enterprise server): a scratch
// repository the token may push branches to and open pull requests in. It opens one pull request
// and closes it, and deletes its branch.
const env = process.env;
const enabled = Boolean(env.GITHUB_TOKEN && env.GITOPS_CONTRACT_REPO);

describe.runIf(enabled)("GitOpsRepo against real GitHub (contract)", () => {
  gitOpsRepoSuite(async () => {
    const apiUrl = env.GITHUB_API_URL || "https://api.github.com";
    const token = env.GITHUB_TOKEN ?? "";
    const fullName = env.GITOPS_CONTRACT_REPO ?? "";
    const [owner = "", repo = ""] = fullName.split("/");
    const octokit = new Octokit({ auth: token, baseUrl: apiUrl });
    return {
      repo: new GitOpsRepo({ repo: fullName, branch: env.GITOPS_BRANCH, token, apiUrl, log: createLogger({ service: "gitops-contract", level: "silent" }) }),
      folder: env.GITOPS_CONTRACT_PATH ?? "",
      removeBranch: async (branch) => void (await octokit.rest.git.deleteRef({ owner, repo, ref: `heads/${branch}` })),
    };
  });
});
