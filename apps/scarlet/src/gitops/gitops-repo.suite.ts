import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { GitOpsRepo } from "./gitops-repo.js";

export type SuiteTarget = {
  repo: GitOpsRepo;
  /** A folder of YAML manifests on the synced branch (may be ""), and one file known to be there with its text, if any. */
  folder: string;
  known?: { path: string; text: string };
  /** Deletes what a test left: the branches it pushed. */
  removeBranch(branch: string): Promise<void>;
  close?(): Promise<void>;
};

/**
 * What the GitOps path needs from GitHub, as one suite: run against the stand-in in every test
 * run, and against GitHub itself by the contract test, so the stand-in cannot drift from it.
 */
export function gitOpsRepoSuite(target: () => Promise<SuiteTarget>): void {
  let t: SuiteTarget;
  const branches: string[] = [];
  beforeAll(async () => {
    t = await target();
  });
  afterAll(async () => {
    for (const b of branches) await t?.removeBranch(b).catch(() => undefined);
    await t?.close?.();
  });

  it("names the synced branch and reads the manifests under the folder", async () => {
    expect(await t.repo.branch()).toMatch(/\S/);
    const files = await t.repo.manifests(t.folder);
    for (const f of files) {
      expect(f.path.startsWith(t.folder)).toBe(true);
      expect(f.path).toMatch(/\.ya?ml$/);
    }
    if (t.known) {
      expect(files.find((f) => f.path === t.known?.path)?.text).toBe(t.known.text);
      expect(await t.repo.read(t.known.path)).toBe(t.known.text);
    }
  });

  it("opens a pull request from a new branch, finds it again by its branch, comments on it and closes it", async () => {
    const nonce = randomBytes(4).toString("hex");
    const branch = `autodevops/contract-${nonce}`;
    branches.push(branch);
    const path = `autodevops-contract/${nonce}.yaml`;
    const opened = await t.repo.openPullRequest({ branch, title: `[autodevops] contract test ${nonce}`, body: "Opened by Auto-DevOps' contract test; it closes this itself.", files: [{ path, content: `kind: ConfigMap\nmetadata:\n  name: contract-${nonce}\n` }] });
    expect(opened.number).toBeGreaterThan(0);
    expect(opened.url).toMatch(/^https?:\/\//);
    expect(await t.repo.branchExists(branch)).toBe(true);
    expect(await t.repo.pullFrom(branch)).toEqual({ number: opened.number, url: opened.url });
    expect(await t.repo.pull(opened.number)).toEqual({ state: "open" });
    await t.repo.comment(opened.number, "Scarlet: contract test comment.");
    await t.repo.close(opened.number);
    expect(await t.repo.pull(opened.number)).toMatchObject({ state: "closed" });
    // A second pull request from the same branch is refused before anything is written.
    await expect(t.repo.openPullRequest({ branch, title: "again", body: "", files: [{ path, content: "x: 1\n" }] })).rejects.toThrow(/already exists/);
  });
}
