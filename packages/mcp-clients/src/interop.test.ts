// Interoperability: the third-party `kubernetes-mcp-server` (npm, a Go binary) plugged into the
// toolbox next to our own kubernetes server, both against the sandbox; a Jamie-style read flow
// goes through it, and its write tools are never offered to Jamie.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, generatePolicyKeys, PgAuditStore, runMigrations, signDecision } from "@autodevops/shared";
import { createTestDatabase, type TestDatabase } from "@autodevops/shared/testing";
import { startSandbox, type RunningSandbox } from "@autodevops/sandbox";
import { formatMcpConfigIssues, loadMcpServersConfig } from "./config/load-config.js";
import { createMcpToolbox, type McpToolbox } from "./toolbox.js";
import { silentLog } from "./testing/test-servers.js";

const THIRD_PARTY_BIN = fileURLToPath(new URL("../../../node_modules/.bin/kubernetes-mcp-server", import.meta.url));
/** The third party's tools that change something (its own annotations say so). */
const THIRD_PARTY_WRITES = ["pods_delete", "pods_exec", "pods_run", "resources_create_or_update", "resources_delete", "resources_scale"];

let dataDir: string;
let sandbox: RunningSandbox;
let db: TestDatabase;
let audit: PgAuditStore;
let jamie: McpToolbox;
let scarlet: McpToolbox;
const keys = generatePolicyKeys();

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "mcp-interop-"));
  sandbox = await startSandbox({ dataDir, host: "127.0.0.1", controlPort: 0, log: createLogger({ service: "sandbox-test", level: "silent" }) });
  db = await createTestDatabase("mcp_interop_test");
  await runMigrations({ databaseUrl: db.url, log: silentLog });
  audit = new PgAuditStore(db.url, silentLog);
  // The configuration path a deployment takes: env, our servers by default, the third party by command.
  const config = loadMcpServersConfig({
    KUBECONFIG: sandbox.kubeconfig,
    POLICY_PUBLIC_KEY: keys.publicKeyPem,
    MCP_SERVERS: JSON.stringify({
      "k8s-community": { command: THIRD_PARTY_BIN, args: ["--kubeconfig", "${KUBECONFIG}", "--disable-multi-cluster"], stderr: "ignore", timeoutMs: 20_000 },
    }),
  });
  if (!config.ok) throw new Error(formatMcpConfigIssues(config.error));
  expect(Object.keys(config.value.servers).sort()).toEqual(["k8s-community", "kubernetes"]);
  jamie = await createMcpToolbox({ agent: "jamie", config: config.value, audit, log: silentLog });
  scarlet = await createMcpToolbox({ agent: "scarlet", config: config.value, audit, policyPublicKey: keys.publicKeyPem, log: silentLog });
}, 120_000);

afterAll(async () => {
  await jamie?.close();
  await scarlet?.close();
  await audit?.close();
  await db?.drop();
  await sandbox?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function text(box: McpToolbox, tool: string, args: Record<string, unknown>): Promise<string> {
  const r = await box.call(tool, args, { fresh: true });
  if (!r.ok) throw new Error(`${tool}: ${r.error.message}`);
  return r.value.text;
}

async function eventually<T>(check: () => Promise<T | undefined>, what: string, withinMs = 60_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

describe("kubernetes-mcp-server beside our servers", () => {
  it("offers Jamie its read tools and none of its write tools", () => {
    const names = jamie.listTools().map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["k8s-community__pods_list_in_namespace", "k8s-community__pods_log", "k8s-community__events_list", "kubernetes__list_pods", "kubernetes__pod_logs"]));
    for (const w of THIRD_PARTY_WRITES) expect(names).not.toContain(`k8s-community__${w}`);
    expect(names.filter((n) => /delete|scale|restart|rollback|cordon|drain|set_resources|exec|run$/.test(n))).toEqual([]);
    expect(jamie.listTools().every((t) => t.class === "read")).toBe(true);
    expect(jamie.langchainTools().map((t) => t.name).sort()).toEqual([...names].sort());
    // Scarlet sees them, classified from the third party's own annotations.
    const scarletWrites = scarlet.listTools().filter((t) => t.server === "k8s-community" && t.class === "write").map((t) => t.tool).sort();
    expect(scarletWrites).toEqual([...THIRD_PARTY_WRITES].sort());
  });

  it("answers a Jamie-style question through it: the pods of shop, then a CrashLoopBackOff after a fault", { timeout: 120_000 }, async () => {
    // The kubelets bring the estate up within seconds of the sandbox's start (longer on a loaded machine).
    const before = await eventually(async () => {
      const t = await text(jamie, "k8s-community__pods_list_in_namespace", { namespace: "shop" });
      return /^shop\s+v1\s+Pod\s+cart-\S+\s+1\/1\s+Running/m.test(t) ? t : undefined;
    }, "cart Running through kubernetes-mcp-server");
    expect(before).not.toMatch(/CrashLoopBackOff/);

    const fault = sandbox.faults.inject({ kind: "crashloop", cluster: "prod", namespace: "shop", target: "cart" });
    expect(fault.ok).toBe(true);

    const crashing = await eventually(async () => {
      const t = await text(jamie, "k8s-community__pods_list_in_namespace", { namespace: "shop" });
      return /^shop\s+v1\s+Pod\s+cart-\S+\s+\S+\s+CrashLoopBackOff/m.test(t) ? t : undefined;
    }, "cart in CrashLoopBackOff through kubernetes-mcp-server");
    const pod = /^shop\s+v1\s+Pod\s+(cart-\S+)\s+\S+\s+CrashLoopBackOff/m.exec(crashing)?.[1];
    expect(pod).toBeDefined();

    // Our server agrees, and the logs of the crashing pod come through the third party.
    // (The pod cycles Running → Error → CrashLoopBackOff; poll until ours sees the back-off too.)
    await eventually(async () => new RegExp(`${pod} CrashLoopBackOff`).test(await text(jamie, "kubernetes__list_pods", { cluster: "prod", namespace: "shop", unhealthyOnly: true })), `${pod} in CrashLoopBackOff through our server`);
    const logs = await jamie.call("k8s-community__pods_log", { namespace: "shop", name: pod, previous: true });
    expect(logs.ok).toBe(true);

    const rows = await audit.query({ actor: "jamie", type: "tool.called", order: "desc", limit: 200 });
    if (!rows.ok) throw new Error(rows.error.message);
    expect(rows.value.some((e) => e.data.server === "k8s-community" && e.data.tool === "pods_list_in_namespace" && e.data.outcome === "ok")).toBe(true);
  });

  it("refuses its write tools to Jamie, and to Scarlet without an action a decision can cover", async () => {
    const since = new Date();
    const jamieDelete = await jamie.call("k8s-community__pods_delete", { namespace: "shop", name: "cart-x" });
    expect(jamieDelete).toMatchObject({ ok: false, error: { code: "refused", reason: "read_only_agent" } });
    // Its own dryRun is not trusted, and its tools are not actions of the policy vocabulary.
    const dry = await scarlet.call("k8s-community__resources_scale", { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "cart", scale: 0, dryRun: true });
    expect(dry).toMatchObject({ ok: false, error: { code: "refused", reason: "no_decision" } });
    const token = signDecision(keys.privateKeyPem, { action: { kind: "delete-pod", cluster: "prod", namespace: "shop", target: "cart", params: { pod: "cart-x" } }, route: "auto" });
    const withDecision = await scarlet.call("k8s-community__pods_delete", { namespace: "shop", name: "cart-x" }, { decision: token });
    expect(withDecision).toMatchObject({ ok: false, error: { code: "refused", reason: "not_an_action" } });
    expect(sandbox.mutations.since(since)).toEqual([]);
  });

  it("sends Scarlet's write to our kubernetes server with its decision, which the server checks again", async () => {
    const args = { cluster: "prod", namespace: "shop", target: "catalog", params: { replicas: 3 } };
    const since = new Date();
    const dry = await scarlet.call("kubernetes__scale", { ...args, dryRun: true });
    expect(dry).toMatchObject({ ok: true });
    expect(sandbox.mutations.since(since)).toEqual([]);
    const token = signDecision(keys.privateKeyPem, { action: { kind: "scale", ...args, params: { replicas: 3, workloadKind: "Deployment" } }, route: "auto" });
    expect(await scarlet.call("kubernetes__scale", args, { decision: token })).toMatchObject({ ok: true });
    expect(sandbox.mutations.since(since).length).toBeGreaterThan(0);

    // A toolbox trusting another key lets the call out; the server, holding the real key, refuses it.
    const rogueKeys = generatePolicyKeys();
    const config = loadMcpServersConfig({ KUBECONFIG: sandbox.kubeconfig, POLICY_PUBLIC_KEY: keys.publicKeyPem, MCP_SERVERS: JSON.stringify({ "k8s-community": false }) });
    if (!config.ok) throw new Error(formatMcpConfigIssues(config.error));
    const rogue = await createMcpToolbox({ agent: "scarlet", config: config.value, audit, policyPublicKey: rogueKeys.publicKeyPem, log: silentLog });
    try {
      const forged = signDecision(rogueKeys.privateKeyPem, { action: { kind: "scale", ...args, params: { replicas: 4, workloadKind: "Deployment" } }, route: "auto" });
      const before = sandbox.mutations.since().length;
      const r = await rogue.call("kubernetes__scale", { ...args, params: { replicas: 4 } }, { decision: forged });
      expect(r).toMatchObject({ ok: false, error: { code: "tool_error", message: expect.stringMatching(/^refused: bad signature/) } });
      expect(sandbox.mutations.since().length).toBe(before);
    } finally {
      await rogue.close();
    }
  });

  it("runs our kubernetes server as its binary (a child process) just as well", { timeout: 120_000 }, async () => {
    const config = loadMcpServersConfig({ KUBECONFIG: sandbox.kubeconfig, LOG_LEVEL: "error", MCP_SERVERS: JSON.stringify({ kubernetes: { run: "child-process", timeoutMs: 30_000 } }) });
    if (!config.ok) throw new Error(formatMcpConfigIssues(config.error));
    const box = await createMcpToolbox({ agent: "jamie", config: config.value, audit, log: silentLog });
    try {
      expect(box.listTools().map((t) => t.name)).toContain("kubernetes__list_pods");
      expect(await text(box, "kubernetes__list_pods", { cluster: "prod", namespace: "shop" })).toMatch(/pods in prod\/shop/);
    } finally {
      await box.close();
    }
  });
});
