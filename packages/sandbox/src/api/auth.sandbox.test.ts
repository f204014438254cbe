import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createLogger } from "@autodevops/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type RunningSandbox } from "../sandbox.js";

const run = promisify(execFile);
let sandbox: RunningSandbox;
let dir: string;

/** The machine's kubectl against the sandbox's own kubeconfig; resolves with stdout, rejects with stderr. */
async function kubectl(args: string[]): Promise<string> {
  try {
    return (await run("kubectl", ["--kubeconfig", sandbox.kubeconfig, "--cache-dir", path.join(dir, "cache"), ...args], { timeout: 30_000 })).stdout;
  } catch (e) {
    throw new Error((e as { stderr?: string }).stderr ?? String(e), { cause: e });
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sandbox-jamie-"));
  sandbox = await startSandbox({ dataDir: dir, host: "127.0.0.1", controlPort: 0, log: createLogger({ service: "sandbox-test", level: "silent" }) });
});
afterAll(async () => {
  await sandbox?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("Jamie's identity in the running sandbox", () => {
  it("has jamie@ contexts beside the admin's and Scarlet's, which stay as they were", async () => {
    const contexts = (await kubectl(["config", "get-contexts", "-o", "name"])).split("\n").filter(Boolean).sort();
    expect(contexts).toEqual(["jamie@prod", "jamie@staging", "prod", "scarlet@prod", "scarlet@staging", "staging"]);
  });

  it("reads pods as jamie@prod, and the sandbox refuses its writes with 403 and changes nothing", async () => {
    expect(await kubectl(["--context", "jamie@prod", "get", "pods", "-n", "shop", "-o", "name"])).toMatch(/pod\/cart-/);
    const since = new Date();
    const pod = (await kubectl(["--context", "jamie@prod", "get", "pods", "-n", "shop", "-l", "app=cart", "-o", "jsonpath={.items[0].metadata.name}"])).trim();
    expect(pod).toMatch(/^cart-/);

    await expect(kubectl(["--context", "jamie@prod", "delete", "pod", pod, "-n", "shop", "--wait=false"])).rejects.toThrow(
      /Forbidden.*User "system:serviceaccount:autodevops:jamie" cannot delete resource "pods"/s,
    );
    await expect(kubectl(["--context", "jamie@prod", "scale", "deployment", "cart", "-n", "shop", "--replicas=5"])).rejects.toThrow(/cannot patch resource "deployments\/scale"|cannot update resource "deployments\/scale"/);
    await expect(kubectl(["--context", "jamie@prod", "get", "secrets", "-n", "shop"])).rejects.toThrow(/cannot list resource "secrets"/);

    // The status code on the wire, as kubectl's request log shows it.
    const verbose = await kubectl(["--context", "jamie@prod", "patch", "deployment", "cart", "-n", "shop", "-p", '{"spec":{"replicas":4}}', "-v=6"]).catch((e: Error) => e.message);
    expect(verbose).toMatch(/PATCH https:\/\/127\.0\.0\.1:\d+\/apis\/apps\/v1\/namespaces\/shop\/deployments\/cart\S* 403 Forbidden/);

    const mine = sandbox.mutations.since(since).filter((m) => m.user === "system:serviceaccount:autodevops:jamie");
    expect(mine).toEqual([]);
    expect(await kubectl(["--context", "prod", "get", "pod", pod, "-n", "shop", "-o", "name"])).toContain(pod);
    expect((await kubectl(["--context", "prod", "get", "deployment", "cart", "-n", "shop", "-o", "jsonpath={.spec.replicas}"])).trim()).toBe("2");
  });
});
