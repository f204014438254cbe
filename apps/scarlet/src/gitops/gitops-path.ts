import { z } from "zod";
import { err, ok, type Action, type Approval, type Logger, type Result, type Risk } from "@autodevops/shared";
import type { McpToolbox } from "@autodevops/mcp-clients";
import type { LiveFacts } from "../graph/deps.js";
import type { GitOpsRepo, PullState } from "./gitops-repo.js";
import { desiredStateOf, editManifest, findManifest, shows, type DesiredState } from "./manifest-change.js";
import { pullRequestBody, pullRequestTitle } from "./pull-request-text.js";

export type PullRequestRef = NonNullable<Approval["pullRequest"]>;

/** The annotations by which ArgoCD marks what it manages (instance: label tracking's annotation form; tracking-id: annotation tracking). */
export const ARGOCD_ANNOTATIONS = ["argocd.argoproj.io/instance", "argocd.argoproj.io/tracking-id"] as const;

export type GitOpsSettings = {
  /** Folder of the manifests; `{cluster}` stands for the cluster's name; "" for the whole repository. */
  path: string;
  /** `namespace/name` or `cluster/namespace/name` managed by GitOps whatever their annotations say. */
  workloads: readonly string[];
  /** How long after a merge the cluster may take to run the merged manifests. */
  syncTimeoutMs: number;
  /** How often the live object is read while waiting for it. */
  syncPollMs?: number;
};

export type ProposeInput = {
  approval: Pick<Approval, "id" | "incidentId" | "expiresAt" | "reasons">;
  action: Action;
  risk: Risk;
  confidence: number;
  diagnosis: { kind: string; summary: string; evidence: readonly string[] } | null;
  requestedBy?: string;
};

const DesiredShape = z.object({
  kind: z.enum(["Deployment", "StatefulSet"]),
  replicas: z.number().int().optional(),
  containers: z.array(z.object({ name: z.string().optional(), image: z.string().optional(), limits: z.record(z.string(), z.string()).optional(), requests: z.record(z.string(), z.string()).optional() })).optional(),
});

/** The graph's view of the GitOps change path. */
export interface GitOpsChanges {
  /** Whether a change to this action's target is made in the GitOps repository. */
  manages(action: Action): boolean;
  /** Opens the pull request that makes the action in the manifests (or finds the one opened before a restart). */
  propose(input: ProposeInput): Promise<Result<PullRequestRef, string>>;
  /** Where the pull request stands: open, merged (by whom) or closed unmerged. */
  stateOf(pr: PullRequestRef): Promise<PullState>;
  /** Waits until the live object shows the merged change, or the sync deadline passes. */
  awaitSync(action: Action, pr: PullRequestRef): Promise<{ ok: boolean; detail: string }>;
  /** Adds a comment to the pull request; a failure is logged, never thrown (GitHub being down must not stop a fix). */
  note(pr: PullRequestRef, text: string): Promise<void>;
  /** Closes an unmerged pull request with the reason: the approval lapsed or a person rejected it elsewhere. */
  withdraw(pr: PullRequestRef, reason: string): Promise<void>;
}

type Deps = {
  repo: Pick<GitOpsRepo, "fullName" | "manifests" | "openPullRequest" | "pullFrom" | "pull" | "comment" | "close">;
  live: Pick<LiveFacts, "annotations" | "playbookContext">;
  tools: Pick<McpToolbox, "call">;
  log: Pick<Logger, "info" | "warn">;
  now: () => Date;
  sleep?: (ms: number) => Promise<void>;
};

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Changes to GitOps-managed workloads as pull requests: the manifest that declares the workload
 * is edited (comments and layout kept) on a branch named after the approval, so a restarted
 * Scarlet finds the pull request it opened instead of opening a second one.
 */
export class GitOpsPath implements GitOpsChanges {
  constructor(
    private readonly settings: GitOpsSettings,
    private readonly deps: Deps,
  ) {}

  manages(action: Action): boolean {
    if (action.kind === "cordon-node" || action.kind === "drain-node") return false;
    const listed = this.settings.workloads.some((w) => w === `${action.namespace}/${action.target}` || w === `${action.cluster}/${action.namespace}/${action.target}`);
    if (listed) return true;
    const a = this.deps.live.annotations(action.cluster, action.namespace, { workload: action.target }).target;
    return ARGOCD_ANNOTATIONS.some((k) => a[k] !== undefined && a[k] !== "");
  }

  async propose(input: ProposeInput): Promise<Result<PullRequestRef, string>> {
    const { action } = input;
    const branch = `autodevops/${input.approval.id}`;
    try {
      const desired = await this.#desired(action);
      if (!desired.ok) return desired;
      const folder = this.settings.path.replaceAll("{cluster}", action.cluster);
      const files = await this.deps.repo.manifests(folder);
      const at = findManifest(files, desired.value.kind, action.namespace, action.target);
      if (!at.ok) return err(`${at.error} in ${this.deps.repo.fullName}${folder ? `/${folder}` : ""}`);
      const ref = { repo: this.deps.repo.fullName, branch, path: at.value.path, desired: desired.value as Record<string, unknown> };
      // Opened before a restart: the branch is named after the approval, so it is this change's.
      const earlier = await this.deps.repo.pullFrom(branch);
      if (earlier) return ok({ ...ref, ...earlier });
      const before = files.find((f) => f.path === at.value.path)?.text ?? "";
      const after = editManifest(before, at.value, desired.value);
      if (!after.ok) return err(`${at.value.path}: ${after.error}`);
      if (after.value === before) return err(`${at.value.path} already declares ${action.target} so: the cluster differs from git (is ArgoCD out of sync?), and a pull request would change nothing`);
      const title = pullRequestTitle(action, desired.value, input.approval.incidentId);
      const body = pullRequestBody({ ...input, path: at.value.path, before, after: after.value, desired: desired.value });
      const opened = await this.deps.repo.openPullRequest({ branch, title, body, commitMessage: `${title}\n\n${input.diagnosis?.summary ?? ""}`.trim(), files: [{ path: at.value.path, content: after.value }] });
      this.deps.log.info({ pullRequest: opened.url, approvalId: input.approval.id }, "GitOps: pull request opened");
      return ok({ ...ref, number: opened.number, url: opened.url });
    } catch (e) {
      return err((e as Error).message);
    }
  }

  stateOf(pr: PullRequestRef): Promise<PullState> {
    return this.deps.repo.pull(pr.number);
  }

  async awaitSync(action: Action, pr: PullRequestRef): Promise<{ ok: boolean; detail: string }> {
    const desired = DesiredShape.safeParse(pr.desired);
    if (!desired.success) return { ok: false, detail: `the pull request's recorded change is unreadable: ${desired.error.message}` };
    const d = desired.data as DesiredState;
    const deadline = this.deps.now().getTime() + this.settings.syncTimeoutMs;
    const sleep = this.deps.sleep ?? wait;
    for (;;) {
      let last: string;
      const r = await this.deps.tools.call("get_resource", { cluster: action.cluster, apiVersion: "apps/v1", kind: d.kind, namespace: action.namespace, name: action.target });
      const yaml = r.ok ? (r.value.structuredContent as { yaml?: unknown } | undefined)?.yaml : undefined;
      if (typeof yaml === "string") {
        const seen = shows(yaml, d);
        if (seen.ok) return { ok: true, detail: `the cluster runs the merged change: ${seen.detail}` };
        last = seen.detail;
      } else {
        last = r.ok ? "the object came back without YAML" : r.error.message;
      }
      if (this.deps.now().getTime() >= deadline) return { ok: false, detail: `the cluster did not run the merged change within ${Math.round(this.settings.syncTimeoutMs / 1000)} s (${last}): is ArgoCD syncing ${pr.path}?` };
      await sleep(this.settings.syncPollMs ?? 2000);
    }
  }

  async note(pr: PullRequestRef, text: string): Promise<void> {
    await this.deps.repo.comment(pr.number, text).catch((e: unknown) => this.deps.log.warn({ err: e, pullRequest: pr.url }, "GitOps: could not comment on the pull request"));
  }

  async withdraw(pr: PullRequestRef, reason: string): Promise<void> {
    await this.note(pr, `Withdrawn by Scarlet: ${reason}`);
    await this.deps.repo.close(pr.number).catch((e: unknown) => this.deps.log.warn({ err: e, pullRequest: pr.url }, "GitOps: could not close the pull request"));
  }

  /** The state the action declares; a rollback's target images come from the rollback tool's dry run (the revision it would restore). */
  async #desired(action: Action): Promise<Result<DesiredState, string>> {
    const kind = this.deps.live.playbookContext(action.cluster, this.deps.now()).workloads?.find((w) => w.namespace === action.namespace && w.name === action.target)?.kind;
    if (action.kind !== "rollback") return desiredStateOf(action, kind);
    const preview = await this.deps.tools.call("rollback", { cluster: action.cluster, namespace: action.namespace, target: action.target, params: action.params, dryRun: true });
    if (!preview.ok) return err(`the rollback's dry run failed: ${preview.error.message}`);
    const containers = (preview.value.structuredContent as { state?: { containers?: unknown } } | undefined)?.state?.containers;
    const parsed = z.array(z.object({ name: z.string(), image: z.string() })).safeParse(containers);
    return desiredStateOf(action, kind, parsed.success ? parsed.data : undefined);
  }
}
