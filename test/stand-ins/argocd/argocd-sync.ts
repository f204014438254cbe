import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { RepoState } from "../github/repo-state.js";

export type ArgoSyncOptions = {
  /** The GitOps repository as the GitHub stand-in holds it (the git ArgoCD would fetch). */
  repo: RepoState;
  branch: string;
  /** The folder of the Application's manifests. */
  folder: string;
  kubeconfig: string;
  /** The kubeconfig context ArgoCD's controller applies with. */
  context: string;
  intervalMs?: number;
};

export type ArgoSync = {
  /** The commits synced so far, in order, with what kubectl said. */
  synced: { sha: string; at: Date; output: string }[];
  /** Syncs now (as `argocd app sync` would), whatever the interval. */
  syncNow(): Promise<void>;
  stop(): Promise<void>;
};

const run = promisify(execFile);

/**
 * A stand-in for ArgoCD's application controller with automated sync: it polls the branch and,
 * at each new commit, applies the folder's manifests to the cluster with `kubectl apply` (client-side
 * apply, ArgoCD's default; a real client of the sandbox), as a sync does. Nothing else changes the cluster.
 */
export function startArgoSync(o: ArgoSyncOptions): ArgoSync {
  const synced: ArgoSync["synced"] = [];
  let last: string | undefined;
  let running: Promise<void> = Promise.resolve();
  const prefix = `${o.folder.replace(/\/+$/, "")}/`;

  const once = async () => {
    const sha = o.repo.resolve(o.branch);
    if (!sha || sha === last) return;
    const manifests = [...o.repo.filesAt(o.branch)].filter(([path]) => path.startsWith(prefix) && /\.ya?ml$/.test(path)).map(([, text]) => text);
    if (manifests.length === 0) return;
    const child = run("kubectl", ["--kubeconfig", o.kubeconfig, "--context", o.context, "apply", "-f", "-"]);
    child.child.stdin?.end(manifests.join("\n---\n"));
    const { stdout } = await child;
    last = sha;
    synced.push({ sha, at: new Date(), output: stdout.trim() });
  };
  const sync = () => (running = running.then(once, once));
  const timer = setInterval(() => void sync().catch(() => undefined), o.intervalMs ?? 1000);
  return {
    synced,
    syncNow: sync,
    async stop() {
      clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
}
