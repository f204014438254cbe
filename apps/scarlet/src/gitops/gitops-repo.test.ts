import { describe } from "vitest";
import { createLogger } from "@autodevops/shared";
import { startGitHubStandIn } from "../../../../test/stand-ins/github/server.js";
import { GitOpsRepo } from "./gitops-repo.js";
import { gitOpsRepoSuite } from "./gitops-repo.suite.js";

const TOKEN = "ghp_gitopsRepoTest000000000000000000000";
const MANIFEST = "# payments\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: payments\n  namespace: shop\nspec:\n  replicas: 2\n";

describe("GitOpsRepo against the GitHub stand-in", () => {
  gitOpsRepoSuite(async () => {
    const gh = await startGitHubStandIn({ token: TOKEN });
    const state = gh.addRepo("acme/gitops");
    state.commit("main", { message: "seed", files: { "clusters/prod/shop/payments.yaml": MANIFEST, "clusters/prod/README.md": "not yaml\n", "clusters/staging/shop/payments.yaml": MANIFEST } });
    const repo = new GitOpsRepo({ repo: "acme/gitops", token: TOKEN, apiUrl: gh.url, log: createLogger({ service: "gitops-test", level: "silent" }) });
    return {
      repo,
      folder: "clusters/prod",
      known: { path: "clusters/prod/shop/payments.yaml", text: MANIFEST },
      removeBranch: async (b) => void state.refs.delete(`refs/heads/${b}`),
      close: () => gh.close(),
    };
  });
});
