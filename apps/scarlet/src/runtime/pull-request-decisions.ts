import type { Approval, ApprovalDecision, AuditStore, Logger, Result } from "@autodevops/shared";
import type { DecideError } from "../api/scarlet-api.js";
import type { GitOpsChanges } from "../gitops/gitops-path.js";
import { sweepEvery } from "./sweep.js";

export type PullRequestWatchOptions = {
  pending(): Promise<Approval[]>;
  gitops: Pick<GitOpsChanges, "stateOf">;
  /** Whether this replica works the incident (with leader election, the leader of its cluster does). */
  ours(incidentId: string): boolean;
  decide(id: string, d: ApprovalDecision, by: string, via: { pullRequest: string }): Promise<Result<Approval, DecideError>>;
  audit: Pick<AuditStore, "append">;
  log: Pick<Logger, "info" | "warn">;
  pollMs: number;
};

/**
 * Reads the pull requests of pending GitOps approvals every `pollMs`: a merge is the approval (by
 * the GitHub user who merged), a close without merge the rejection. Polling, not webhooks: it
 * needs no inbound route from GitHub, and a missed event is read at the next poll.
 * Returns a function that stops it.
 */
export function watchPullRequests(o: PullRequestWatchOptions): () => void {
  const once = async () => {
    for (const a of await o.pending()) {
      const pr = a.pullRequest;
      if (!pr || !o.ours(a.incidentId)) continue;
      const state = await o.gitops.stateOf(pr).catch((e: unknown) => {
        o.log.warn({ err: e, pullRequest: pr.url }, "GitOps: could not read the pull request");
        return undefined;
      });
      if (!state || state.state === "open") continue;
      if (state.state === "merged") {
        const r = await o.decide(a.id, { decision: "approve", reason: `merged${state.commit ? ` as ${state.commit.slice(0, 12)}` : ""}` }, `github:${state.by}`, { pullRequest: pr.url });
        if (r.ok) o.log.info({ approvalId: a.id, pullRequest: pr.url, by: state.by }, "GitOps: pull request merged, the change is approved");
        else o.log.warn({ approvalId: a.id, pullRequest: pr.url, error: r.error.message }, "GitOps: a merged pull request could not approve (the approval was decided or expired first)");
      } else {
        await o.audit.append({ actor: "github", type: "pull_request.closed", incidentId: a.incidentId, data: { approvalId: a.id, pullRequest: pr.url, merged: false } });
        await o.decide(a.id, { decision: "reject", reason: "the pull request was closed without merging" }, "github", { pullRequest: pr.url });
      }
    }
  };
  return sweepEvery(o.pollMs, once, o.log, "GitOps: pull request watch");
}
