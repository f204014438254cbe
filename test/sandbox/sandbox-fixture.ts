import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createLogger } from "@autodevops/shared";
import { startSandbox, type RunningSandbox } from "@autodevops/sandbox";

const run = promisify(execFile);

/** The whole sandbox in this process on free ports, and the machine's kubectl pointed at it. */
export async function startSandboxFixture() {
  const dataDir = await mkdtemp(path.join(tmpdir(), "sandbox-e2e-"));
  const sandbox: RunningSandbox = await startSandbox({
    dataDir,
    host: "127.0.0.1",
    controlPort: 0,
    log: createLogger({ service: "sandbox-test", level: process.env.TEST_LOG_LEVEL ?? "silent" }),
  });
  const kubectl = async (args: string[], opts: { input?: string; timeoutMs?: number } = {}) => {
    const child = run("kubectl", ["--kubeconfig", sandbox.kubeconfig, "--cache-dir", path.join(dataDir, "kube-cache"), ...args], {
      timeout: opts.timeoutMs ?? 60_000,
    });
    if (opts.input !== undefined) child.child.stdin?.end(opts.input);
    return (await child).stdout;
  };
  return { sandbox, dataDir, kubectl };
}

export { eventually } from "@autodevops/shared/testing";
