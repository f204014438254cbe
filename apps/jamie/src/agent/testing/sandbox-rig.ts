import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createMcpToolbox, formatMcpConfigIssues, loadMcpServersConfig, type McpToolbox } from "@autodevops/mcp-clients";
import { createLogger, type AuditEvent, type AuditStore } from "@autodevops/shared";
import { startSandbox, type RunningSandbox } from "@autodevops/sandbox";

/**
 * The whole sandbox in this process, and a real MCP toolbox for agent "jamie" connected to our
 * own servers (kubernetes, loki, tempo) configured at it, as Jamie's server would be. Test support.
 */
export interface JamieSandboxRig {
  sandbox: RunningSandbox;
  toolbox: McpToolbox;
  /** Every tool call the toolbox audited. */
  audited: Parameters<AuditStore["append"]>[0][];
  inject(fault: { kind: string; namespace: string; target: string; cluster?: string; params?: Record<string, unknown> }): Promise<string>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startJamieSandboxRig(): Promise<JamieSandboxRig> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "jamie-sandbox-"));
  const log = createLogger({ service: "jamie-test", level: (process.env.TEST_LOG_LEVEL as "silent" | undefined) ?? "silent" });
  const sandbox = await startSandbox({ dataDir, host: "127.0.0.1", controlPort: 0, log });
  try {
    // The sandbox's telemetry APIs sit on each cluster's API server, behind its CA and a token.
    const kubeconfig = await readFile(sandbox.kubeconfig, "utf8");
    const caData = /certificate-authority-data:\s*(\S+)/.exec(kubeconfig)?.[1];
    if (!caData) throw new Error(`the sandbox's kubeconfig ${sandbox.kubeconfig} has no certificate-authority-data`);
    const caFile = path.join(dataDir, "ca.pem");
    await writeFile(caFile, Buffer.from(caData, "base64"));
    const per = (suffix: string) => sandbox.clusters.map((c) => `${c.name}=${c.apiServer}${suffix}`).join(",");
    const config = loadMcpServersConfig({
      HOME: process.env.HOME,
      KUBECONFIG: sandbox.kubeconfig,
      MCP_K8S_CONTEXTS: sandbox.clusters.map((c) => `${c.name}=${c.context}`).join(","),
      LOKI_URL: per("/loki"),
      LOKI_TOKEN: sandbox.tokens.admin,
      LOKI_CA_FILE: caFile,
      TEMPO_URL: per("/tempo"),
      TEMPO_TOKEN: sandbox.tokens.admin,
      TEMPO_CA_FILE: caFile,
    });
    if (!config.ok) throw new Error(`MCP configuration: ${formatMcpConfigIssues(config.error)}`);
    const audited: JamieSandboxRig["audited"] = [];
    // Kept in memory: the toolbox reads only `ok` of what append returns.
    const audit: Pick<AuditStore, "append"> = {
      append: async (e) => {
        audited.push(e);
        return { ok: true, value: e as unknown as AuditEvent };
      },
    };
    const toolbox = await createMcpToolbox({ agent: "jamie", config: config.value, audit, log });
    const control = (p: string, init?: RequestInit) => fetch(`${sandbox.controlUrl}${p}`, init);
    return {
      sandbox,
      toolbox,
      audited,
      async inject(fault) {
        const r = await control("/sandbox/faults", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fault) });
        if (r.status !== 201) throw new Error(`inject ${fault.kind}: ${r.status} ${await r.text()}`);
        return ((await r.json()) as { id: string }).id;
      },
      async reset() {
        const r = await control("/sandbox/reset", { method: "POST" });
        if (!r.ok) throw new Error(`reset: ${r.status}`);
      },
      async close() {
        await toolbox.close();
        await sandbox.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await sandbox.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
}
