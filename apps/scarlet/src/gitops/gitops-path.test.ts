import { describe, expect, it } from "vitest";
import { createLogger, type Action } from "@autodevops/shared";
import { GitOpsPath, type PullRequestRef } from "./gitops-path.js";

const MANIFEST = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: checkout\n  namespace: shop\nspec:\n  replicas: 2\n";
const scale = (replicas: number): Action => ({ kind: "scale", cluster: "prod", namespace: "shop", target: "checkout", params: { replicas, workloadKind: "Deployment" } });
const approval = { id: "apr-inc-1-1", incidentId: "inc-1", expiresAt: "2026-11-24T12:00:00.000Z", reasons: ["matrix: scale is medium risk"] };

function rig(o: { annotations?: Record<string, string>; files?: { path: string; text: string }[]; earlier?: { number: number; url: string }; live?: string[]; workloads?: string[] } = {}) {
  const opened: { branch: string; title: string; body: string; files: unknown[] }[] = [];
  let clock = Date.parse("2026-11-24T11:00:00Z");
  const live = [...(o.live ?? [])];
  const path = new GitOpsPath(
    { path: "clusters/{cluster}", workloads: o.workloads ?? [], syncTimeoutMs: 10_000, syncPollMs: 1000 },
    {
      repo: {
        fullName: "acme/gitops",
        manifests: async (folder) => (o.files ?? [{ path: `${folder}/shop/checkout.yaml`, text: MANIFEST }]).filter((f) => f.path.startsWith(folder)),
        openPullRequest: async (c) => {
          opened.push({ branch: c.branch, title: c.title, body: c.body, files: c.files });
          return { number: 7, url: "https://github.example/acme/gitops/pull/7", branch: c.branch, base: "main", commit: "c0ffee", written: 1, deleted: 0 };
        },
        pullFrom: async () => o.earlier,
        pull: async () => ({ state: "open" }),
        comment: async () => undefined,
        close: async () => undefined,
      },
      live: {
        annotations: () => ({ namespace: {}, target: o.annotations ?? { "argocd.argoproj.io/instance": "shop" } }),
        playbookContext: () => ({ workloads: [{ namespace: "shop", name: "checkout", kind: "Deployment", replicas: 2, available: 2 }] }) as never,
      },
      tools: {
        call: async () => {
          const yaml = live.length > 1 ? live.shift() : live[0];
          return yaml === undefined ? { ok: false, error: { kind: "tool", message: "unreachable" } } : { ok: true, value: { text: yaml, structuredContent: { yaml } } };
        },
      } as never,
      log: createLogger({ service: "gitops-path-test", level: "silent" }),
      now: () => new Date(clock),
      sleep: async (ms) => void (clock += ms),
    },
  );
  return { path, opened };
}

const propose = (p: GitOpsPath, a: Action) => p.propose({ approval, action: a, risk: "medium", confidence: 0.9, diagnosis: { kind: "traffic-spike", summary: "checkout at its CPU limit", evidence: ["rate ×3"] } });

describe("GitOpsPath", () => {
  it("takes a workload as GitOps-managed by ArgoCD's annotations or the configured list, never a node", () => {
    expect(rig().path.manages(scale(3))).toBe(true);
    expect(rig({ annotations: { "argocd.argoproj.io/tracking-id": "shop:apps/Deployment:shop/checkout" } }).path.manages(scale(3))).toBe(true);
    expect(rig({ annotations: {} }).path.manages(scale(3))).toBe(false);
    expect(rig({ annotations: {}, workloads: ["shop/checkout"] }).path.manages(scale(3))).toBe(true);
    expect(rig({ annotations: {}, workloads: ["staging/shop/checkout"] }).path.manages(scale(3))).toBe(false);
    expect(rig().path.manages({ kind: "cordon-node", cluster: "prod", namespace: "", target: "node-b", params: {} })).toBe(false);
  });

  it("opens one pull request editing the cluster's manifest, on a branch named after the approval", async () => {
    const { path, opened } = rig();
    const r = await propose(path, scale(4));
    expect(r).toMatchObject({ ok: true, value: { number: 7, repo: "acme/gitops", path: "clusters/prod/shop/checkout.yaml", branch: "autodevops/apr-inc-1-1", desired: { kind: "Deployment", replicas: 4 } } });
    expect(opened).toHaveLength(1);
    expect(opened[0]?.files).toEqual([{ path: "clusters/prod/shop/checkout.yaml", content: MANIFEST.replace("replicas: 2", "replicas: 4") }]);
    expect(opened[0]?.body).toContain("-  replicas: 2\n+  replicas: 4");
  });

  it("finds the pull request it opened before a restart instead of opening a second", async () => {
    const { path, opened } = rig({ earlier: { number: 3, url: "https://github.example/acme/gitops/pull/3" } });
    expect(await propose(path, scale(4))).toMatchObject({ ok: true, value: { number: 3 } });
    expect(opened).toEqual([]);
  });

  it("says why there is no pull request: no manifest, a manifest that already declares it, an action with no manifest form", async () => {
    expect(await propose(rig({ files: [] }).path, scale(4))).toEqual({ ok: false, error: "no manifest declares Deployment shop/checkout in acme/gitops/clusters/prod" });
    expect(await propose(rig().path, scale(2))).toMatchObject({ ok: false, error: expect.stringContaining("already declares checkout so") });
    const restart: Action = { kind: "rollout-restart", cluster: "prod", namespace: "shop", target: "checkout", params: { workloadKind: "Deployment" } };
    expect(await propose(rig().path, restart)).toMatchObject({ ok: false, error: expect.stringContaining("no pull request form") });
  });

  it("waits until the live object shows the merged change, and gives up at the sync deadline", async () => {
    const pr: PullRequestRef = { repo: "acme/gitops", number: 7, url: "u", branch: "b", path: "clusters/prod/shop/checkout.yaml", desired: { kind: "Deployment", replicas: 4 } };
    const later = rig({ live: ["spec:\n  replicas: 2\n", "spec:\n  replicas: 2\n", "spec:\n  replicas: 4\n"] });
    expect(await later.path.awaitSync(scale(4), pr)).toEqual({ ok: true, detail: "the cluster runs the merged change: replicas 4" });
    const never = rig({ live: ["spec:\n  replicas: 2\n"] });
    expect(await never.path.awaitSync(scale(4), pr)).toMatchObject({ ok: false, detail: expect.stringContaining("did not run the merged change within 10 s (replicas 2, not yet 4)") });
  });
});
