import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Octokit } from "octokit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { Approval, Incident } from "@autodevops/shared";
import { eventually } from "@autodevops/shared/testing";
import { startArgoSync, type ArgoSync } from "../stand-ins/argocd/argocd-sync.js";
import { startGitHubStandIn, type GitHubStandIn } from "../stand-ins/github/server.js";
import type { RepoState } from "../stand-ins/github/repo-state.js";
import { resetEstate, startRig, type ScarletRig } from "./scarlet-fixture.js";

// The GitOps change path end to end: Scarlet (its own process) against the sandbox, the GitOps
// repository on the GitHub stand-in (driven by real Octokit, as Scarlet drives it), and an
// ArgoCD stand-in that applies the repository's branch to the sandbox with kubectl. People act
// on the pull request, as they would on GitHub: alice merges or closes it with her own token.
const BOT_TOKEN = "ghp_autodevopsbot0000000000000000000000";
const ALICE_TOKEN = "ghp_alice000000000000000000000000000000";
const REPO = "acme/gitops";
const SCARLET_USER = "system:serviceaccount:autodevops:scarlet";
const exec = promisify(execFile);

let rig: ScarletRig;
let github: GitHubStandIn;
let repo: RepoState;
let argo: ArgoSync;
const alice = () => new Octokit({ auth: ALICE_TOKEN, baseUrl: github.url });

const kubectl = async (...args: string[]) => (await exec("kubectl", ["--kubeconfig", rig.sandbox.kubeconfig, "--context", "prod", ...args])).stdout;

/** The workload as a GitOps repository declares it: the live object without status and server-set fields. */
async function manifestOf(name: string): Promise<string> {
  const live = JSON.parse(await kubectl("get", "deployment", name, "-n", "shop", "-o", "json")) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  const { name: n, namespace, labels } = live.metadata as { name: string; namespace: string; labels?: Record<string, string> };
  const declared = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: n, namespace, ...(labels ? { labels } : {}), annotations: { "argocd.argoproj.io/instance": "shop" } }, spec: live.spec };
  return `# ${name}: declared here, synced by ArgoCD (Application shop)\n${stringify(declared)}`;
}

const byScarlet = async (since: Date, target: string) => (await rig.mutations(since)).filter((m) => m.user === SCARLET_USER && (m.name === target || m.name?.startsWith(`${target}-`)));
const approvalOf = async (incidentId: string) => (await rig.get<{ approvals: Approval[] }>("/api/approvals")).approvals.find((a) => a.incidentId === incidentId);
const incident = (id: string) => rig.get<Incident>(`/api/incidents/${id}`);

/** The estate at its baseline, payments declared in git and marked as ArgoCD's (the reset drops the annotation). */
async function baseline(): Promise<void> {
  await resetEstate(rig);
  await kubectl("annotate", "--overwrite", "deployment/payments", "-n", "shop", "argocd.argoproj.io/instance=shop");
  repo.commit("main", { message: "payments as it runs", files: { "clusters/prod/shop/payments.yaml": await manifestOf("payments") } });
  await argo.syncNow();
}

beforeAll(async () => {
  github = await startGitHubStandIn({ token: BOT_TOKEN, login: "autodevops-bot", users: { [ALICE_TOKEN]: "alice" } });
  repo = github.addRepo(REPO);
  repo.commit("main", { message: "bootstrap", files: { "README.md": "The shop's manifests, synced by ArgoCD.\n" } });
  rig = await startRig();
  argo = startArgoSync({ repo, branch: "main", folder: "clusters/prod", kubeconfig: rig.sandbox.kubeconfig, context: "prod", intervalMs: 500 });
  await rig.start({ GITOPS_REPO: REPO, GITHUB_TOKEN: BOT_TOKEN, GITHUB_API_URL: github.url, GITOPS_PATH: "clusters/{cluster}", GITOPS_POLL_SECONDS: "0.5", GITOPS_SYNC_TIMEOUT_SECONDS: "60", GITOPS_POSTMORTEMS: "pr" });
}, 120_000);
afterAll(async () => {
  await argo?.stop();
  await rig?.close();
  await github?.close();
});

describe("GitOps change path, end to end", () => {
  it("asks for an OOM fix as a pull request; only the merge approves it; ArgoCD applies it and Scarlet verifies, never patching the cluster itself", async () => {
    await baseline();
    const t0 = new Date();
    const fault = await rig.inject({ kind: "oom", target: "payments" });
    const waiting = await rig.incidentFor("payments", t0, 90_000, (i) => i.status === "awaiting_approval");
    const approval = await approvalOf(waiting.id);
    expect(approval?.action.kind).toBe("set-resources");
    const pr = approval?.pullRequest;
    if (!approval || !pr) throw new Error(`no pull request on the approval: ${JSON.stringify(approval)}\n${rig.output.slice(-30).join("\n")}`);
    expect(pr).toMatchObject({ repo: REPO, path: "clusters/prod/shop/payments.yaml", branch: `autodevops/${approval.id}` });

    // The pull request edits the manifest (the comment kept), names the reason and carries the diff; main is untouched.
    const pull = repo.pulls.find((p) => p.number === pr.number);
    expect(pull?.state).toBe("open");
    expect(pull?.title).toContain("set-resources shop/payments");
    expect(pull?.body).toMatch(/oom/i);
    expect(pull?.body).toContain("```diff");
    expect(pull?.body).toContain("Merging this pull request is the approval");
    const proposed = parse(repo.filesAt(pr.branch).get(pr.path) ?? "") as { spec: { template: { spec: { containers: { resources: { limits: { memory: string } } }[] } } } };
    const asked = proposed.spec.template.spec.containers[0]?.resources.limits.memory;
    expect(repo.filesAt(pr.branch).get(pr.path)).toContain("# payments: declared here");
    expect(repo.filesAt("main").get(pr.path)).not.toContain(`memory: ${asked}`);

    // The portal cannot approve it: merging is the approval.
    const portal = await rig.post(`/api/approvals/${approval.id}`, { decision: "approve" }, { authorization: `Bearer ${rig.approverToken}` });
    expect(portal.status).toBe(409);
    expect(await portal.text()).toContain(pr.url);
    await new Promise((r) => setTimeout(r, 3000));
    expect((await approvalOf(waiting.id))?.status).toBe("pending");
    expect(await byScarlet(t0, "payments")).toEqual([]);
    expect((await rig.fault(fault)).cured).toBe(false);

    // alice merges; ArgoCD syncs main; the limit is raised and the OOM kills stop.
    const [owner = "", name = ""] = REPO.split("/");
    await alice().rest.pulls.merge({ owner, repo: name, pull_number: pr.number });
    await eventually(async () => (await rig.fault(fault)).cured, "the OOM cured by the merged manifest", 90_000, 500);
    await eventually(async () => (await incident(waiting.id)).status === "resolved", "the incident resolved", 120_000, 500).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\n${JSON.stringify(await incident(waiting.id))}\n${rig.output.filter((l) => l.includes(waiting.id) || l.includes("gitops")).slice(-25).join("\n")}`);
    });

    const decided = await approvalOf(waiting.id);
    expect(decided).toMatchObject({ status: "approved", decidedBy: "github:alice" });
    const done = await incident(waiting.id);
    expect(done.actions.map((a) => [a.kind, a.status])).toEqual([["set-resources", "succeeded"]]);
    expect(done.actions[0]?.by).toContain(`${REPO}#${pr.number} merged by github:alice`);
    // Scarlet changed nothing in the cluster: ArgoCD (the admin context here) applied the merge.
    expect(await byScarlet(t0, "payments")).toEqual([]);
    expect((await rig.mutations(t0)).some((m) => m.name === "payments" && m.user !== SCARLET_USER)).toBe(true);
    const audit = await rig.query<{ type: string; actor: string }>("SELECT type, actor FROM audit_events WHERE incident_id = $1 ORDER BY seq", [waiting.id]);
    expect(audit.map((e) => e.type)).toEqual(expect.arrayContaining(["pull_request.opened", "approval.decided", "action.executing", "action.succeeded", "verification.passed"]));
    expect(audit.find((e) => e.type === "approval.decided")?.actor).toBe("github:alice");
    // The pull request tells how it went.
    await eventually(async () => (await alice().rest.issues.listComments({ owner, repo: name, issue_number: pr.number })).data.some((c) => /verified/i.test(c.body ?? "")), "the verification reported on the pull request", 30_000, 500);

    // Once closed, the incident's postmortem is filed as a pull request adding its Markdown.
    const postmortem = await eventually(async () => repo.pulls.find((p) => p.head.ref === `postmortem/${waiting.id}`), "the postmortem's pull request", 60_000, 500);
    const [path, text = ""] = [...repo.filesAt(postmortem.head.ref)].find(([p]) => p.startsWith("postmortems/") && p.endsWith(`${waiting.id}.md`)) ?? [];
    expect(path).toBeDefined();
    expect(text).toMatch(/oom/i);
    expect(text).toContain("set-resources");
    expect(text).toContain("alice");
    const filed = await rig.query<{ n: string }>("SELECT count(*) n FROM audit_events WHERE type = 'postmortem.filed' AND incident_id = $1", [waiting.id]);
    expect(Number(filed[0]?.n)).toBe(1);
  }, 300_000);

  it("makes a person's change request a pull request too; closing it unmerged rejects it and nothing changes", async () => {
    await baseline();
    const t0 = new Date();
    const mainBefore = repo.filesAt("main").get("clusters/prod/shop/payments.yaml");
    const replicasBefore = JSON.parse(await kubectl("get", "deployment", "payments", "-n", "shop", "-o", "json")).spec.replicas as number;
    const r = await rig.post("/api/proposals", { action: { kind: "scale", cluster: "prod", namespace: "shop", target: "payments", params: { replicas: replicasBefore + 2 } }, reason: "the sale starts at noon", requestedBy: "bob" }, { authorization: `Bearer ${rig.approverToken}` });
    expect(r.status).toBe(201);
    const proposal = (await r.json()) as { incidentId: string; approvalId?: string; pullRequest?: string; route: string };
    expect(proposal.route).toBe("approval");
    const pr = (await approvalOf(proposal.incidentId))?.pullRequest;
    if (!pr) throw new Error("no pull request");
    expect(proposal.pullRequest).toBe(pr.url);
    expect(repo.filesAt(pr.branch).get(pr.path)).toContain(`replicas: ${replicasBefore + 2}`);
    expect(repo.pulls.find((p) => p.number === pr.number)?.body).toContain("Requested by bob");

    const [owner = "", name = ""] = REPO.split("/");
    await alice().rest.pulls.update({ owner, repo: name, pull_number: pr.number, state: "closed" });
    await eventually(async () => (await approvalOf(proposal.incidentId))?.status === "rejected", "the approval rejected by the close", 30_000, 500);
    await eventually(async () => (await incident(proposal.incidentId)).status === "escalated", "the change request escalated", 30_000, 500);
    expect((await approvalOf(proposal.incidentId))?.decidedBy).toBe("github");
    await new Promise((res) => setTimeout(res, 2000));
    expect(await byScarlet(t0, "payments")).toEqual([]);
    expect(repo.filesAt("main").get("clusters/prod/shop/payments.yaml")).toBe(mainBefore);
    expect(JSON.parse(await kubectl("get", "deployment", "payments", "-n", "shop", "-o", "json")).spec.replicas).toBe(replicasBefore);
  }, 180_000);
});
