import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { createLogger } from "@autodevops/shared";
import { startSandbox, type RunningSandbox } from "@autodevops/sandbox";
import type { Endpoint } from "@autodevops/shared";

/**
 * A whole sandbox in this process on free ports, and what a client of its telemetry needs:
 * the CA its API servers' certificates chain to (from the kubeconfig it wrote), a bearer token,
 * and each cluster's endpoint for a path (`/loki`, `/tempo`, `/metrics`).
 */
export async function startSandboxBackends() {
  const dataDir = await mkdtemp(path.join(tmpdir(), "mcp-sandbox-"));
  let sandbox: RunningSandbox;
  try {
    sandbox = await startSandbox({
      dataDir,
      host: "127.0.0.1",
      controlPort: 0,
      log: createLogger({ service: "sandbox-test", level: (process.env.TEST_LOG_LEVEL as "silent" | undefined) ?? "silent" }),
    });
  } catch (e) {
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  const kc = new KubeConfig();
  kc.loadFromString(await readFile(sandbox.kubeconfig, "utf8"));
  const caData = kc.getClusters()[0]?.caData;
  if (!caData) throw new Error(`the sandbox's kubeconfig ${sandbox.kubeconfig} has no certificate-authority-data`);
  const ca = Buffer.from(caData, "base64").toString("utf8");
  const running = sandbox;
  return {
    sandbox,
    ca,
    token: sandbox.tokens.admin,
    endpoints: (suffix: string): Endpoint[] => running.clusters.map((c) => ({ name: c.name, url: `${c.apiServer}${suffix}` })),
    stop: async () => {
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export { eventually } from "@autodevops/shared/testing";
