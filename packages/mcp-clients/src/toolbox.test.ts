import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import pg from "pg";
import { generatePolicyKeys, PgAuditStore, runMigrations, signDecision, type Action, type AuditEvent } from "@autodevops/shared";
import { createTestDatabase, type TestDatabase } from "@autodevops/shared/testing";
import type { McpServersConfig } from "./config/servers-config.js";
import { createMcpToolbox, type McpToolbox } from "./toolbox.js";
import { bareSdkServer, clusterSpec, silentLog, type CallLog } from "./testing/test-servers.js";
import { serveHttp } from "@autodevops/mcp-servers";

let db: TestDatabase;
let audit: PgAuditStore;
let admin: pg.Client;
const keys = generatePolicyKeys();
const otherKeys = generatePolicyKeys();
const calls: CallLog = [];
let bare: Awaited<ReturnType<typeof serveHttp>>;
let scarlet: McpToolbox;
let jamie: McpToolbox;

const scaleArgs = { cluster: "prod", namespace: "shop", target: "cart", params: { replicas: 3 } };
const scaleAction: Action = { kind: "scale", cluster: "prod", namespace: "shop", target: "cart", params: { replicas: 3, workloadKind: "Deployment" } };
const decide = (action: Action = scaleAction, key = keys.privateKeyPem) => signDecision(key, { action, route: "auto", incidentId: "inc-42" });

function config(extra: Partial<McpServersConfig["servers"]> = {}): McpServersConfig {
  return {
    servers: {
      cluster: { decisionAware: true, source: { kind: "in-process", build: () => clusterSpec(calls) } },
      bare: { source: { kind: "endpoint", endpoint: { transport: "http", url: bare.url } } },
      ...extra,
    } as McpServersConfig["servers"],
    skipped: [],
  };
}

async function rows(filter: { type?: string; actor?: string } = {}): Promise<AuditEvent[]> {
  const r = await audit.query({ ...filter, order: "desc", limit: 50 });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const callsOf = (tool: string) => calls.filter((c) => c.tool === tool);

beforeAll(async () => {
  db = await createTestDatabase("mcp_clients_test");
  await runMigrations({ databaseUrl: db.url, log: silentLog });
  audit = new PgAuditStore(db.url, silentLog);
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  bare = await serveHttp(() => bareSdkServer(calls), { host: "127.0.0.1", port: 0, log: silentLog });
  scarlet = await createMcpToolbox({ agent: "scarlet", config: config(), audit, policyPublicKey: keys.publicKeyPem, log: silentLog });
  jamie = await createMcpToolbox({ agent: "jamie", config: config(), audit, policyPublicKey: keys.publicKeyPem, log: silentLog });
});

afterAll(async () => {
  await scarlet?.close();
  await jamie?.close();
  await bare?.close();
  await audit?.close();
  await admin?.end();
  await db?.drop();
});

beforeEach(() => {
  calls.length = 0;
});

describe("Scarlet's writes", () => {
  it("refuses a write without a decision before it reaches the server, and audits the refusal", async () => {
    const r = await scarlet.call("cluster__scale", scaleArgs);
    expect(r).toMatchObject({ ok: false, error: { code: "refused", reason: "no_decision" } });
    expect(callsOf("scale")).toHaveLength(0);
    const [row] = await rows({ type: "policy.refused", actor: "scarlet" });
    expect(row).toMatchObject({ actor: "scarlet", type: "policy.refused", target: "prod/shop/cart", cluster: "prod", namespace: "shop" });
    expect(row?.data).toMatchObject({ server: "cluster", tool: "scale", outcome: "refused", refusal: "no_decision", args: scaleArgs });
  });

  it("refuses a decision signed for another action, or with another key", async () => {
    const other = decide({ ...scaleAction, params: { replicas: 30, workloadKind: "Deployment" } });
    const mismatch = await scarlet.call("cluster__scale", scaleArgs, { decision: other });
    expect(mismatch).toMatchObject({ ok: false, error: { code: "refused", reason: "action_mismatch" } });
    const forged = await scarlet.call("cluster__scale", scaleArgs, { decision: decide(scaleAction, otherKeys.privateKeyPem) });
    expect(forged).toMatchObject({ ok: false, error: { code: "refused", reason: "bad_signature" } });
    const elsewhere = await scarlet.call("cluster__scale", { ...scaleArgs, namespace: "payments" }, { decision: decide() });
    expect(elsewhere).toMatchObject({ ok: false, error: { code: "refused", reason: "action_mismatch" } });
    expect(callsOf("scale")).toHaveLength(0);
    const refused = await rows({ type: "policy.refused" });
    expect(refused.slice(0, 3).map((e) => e.data.refusal)).toEqual(["action_mismatch", "bad_signature", "action_mismatch"]);
  });

  it("sends a write with its valid decision, which the server receives to check again", async () => {
    const token = decide();
    const r = await scarlet.call("cluster__scale", scaleArgs, { decision: token });
    expect(r).toMatchObject({ ok: true, value: { structuredContent: { changed: true, decisionSeen: true } } });
    expect(callsOf("scale")[0]?.args).toMatchObject({ ...scaleArgs, decision: token });
    const [row] = await rows({ type: "tool.called", actor: "scarlet" });
    expect(row).toMatchObject({ type: "tool.called", incidentId: "inc-42", target: "prod/shop/cart" });
    expect(row?.data).toMatchObject({ tool: "scale", outcome: "ok", dryRun: false, decision: { route: "auto", incidentId: "inc-42" } });
    // The token itself is never stored, only its id.
    const stored = await admin.query("SELECT data::text AS data FROM audit_events WHERE seq = $1", [row?.seq]);
    expect(stored.rows[0].data).not.toContain(token.split(".")[1]);
    expect(stored.rows[0].data).not.toContain(token.split(".")[0]);
  });

  it("refuses a second use of the same decision", async () => {
    const token = decide();
    expect((await scarlet.call("cluster__scale", scaleArgs, { decision: token })).ok).toBe(true);
    expect(await scarlet.call("cluster__scale", scaleArgs, { decision: token })).toMatchObject({ ok: false, error: { reason: "replayed" } });
    expect(callsOf("scale")).toHaveLength(1);
  });

  it("lets a dry run through without a decision on a server that honours dryRun", async () => {
    const r = await scarlet.call("cluster__scale", { ...scaleArgs, dryRun: true });
    expect(r).toMatchObject({ ok: true, value: { structuredContent: { changed: false, dryRun: true } } });
    expect(callsOf("scale")[0]?.args).not.toHaveProperty("decision");
  });

  it("ignores a decision smuggled into the arguments", async () => {
    const r = await scarlet.call("cluster__scale", { ...scaleArgs, decision: decide() });
    expect(r).toMatchObject({ ok: false, error: { code: "refused", reason: "no_decision" } });
    expect(callsOf("scale")).toHaveLength(0);
  });

  it("treats a node action without a namespace as the decision's empty namespace", async () => {
    const token = decide({ kind: "cordon-node", cluster: "prod", namespace: "", target: "node-2", params: {} });
    const r = await scarlet.call("cordon_node", { cluster: "prod", target: "node-2", params: {} }, { decision: token });
    expect(r.ok).toBe(true);
  });

  it("counts a tool without annotations as a write that no decision covers, dry run or not", async () => {
    expect(scarlet.listTools().find((t) => t.name === "bare__peek")?.class).toBe("write");
    const r = await scarlet.call("bare__peek", { what: "secrets", dryRun: true });
    expect(r).toMatchObject({ ok: false, error: { code: "refused", reason: "no_decision" } });
    const withDecision = await scarlet.call("bare__peek", { what: "secrets" }, { decision: decide() });
    expect(withDecision).toMatchObject({ ok: false, error: { code: "refused", reason: "not_an_action" } });
    expect(callsOf("peek")).toHaveLength(0);
  });
});

describe("Jamie's read-only toolbox", () => {
  it("lists read tools only", () => {
    const names = jamie.listTools().map((t) => t.name).sort();
    expect(names).toEqual(["bare__count", "cluster__get_logs", "cluster__list_pods", "cluster__slow_query"]);
    expect(jamie.langchainTools().map((t) => t.name).sort()).toEqual(names);
  });

  it("refuses a write tool even with a valid decision, and audits it", async () => {
    const r = await jamie.call("cluster__scale", scaleArgs, { decision: decide() });
    expect(r).toMatchObject({ ok: false, error: { code: "refused", reason: "read_only_agent" } });
    const peek = await jamie.call("peek", { what: "x" });
    expect(peek).toMatchObject({ ok: false, error: { code: "refused", reason: "read_only_agent" } });
    expect(calls).toHaveLength(0);
    const [last, first] = await rows({ type: "policy.refused", actor: "jamie" });
    expect(first?.data).toMatchObject({ server: "cluster", tool: "scale", refusal: "read_only_agent" });
    expect(last?.data).toMatchObject({ server: "bare", tool: "peek", refusal: "read_only_agent" });
  });

  it("answers a read and audits the call", async () => {
    const r = await jamie.call("cluster__get_logs", { cluster: "prod", namespace: "shop", pod: "cart-1" });
    expect(r).toMatchObject({ ok: true, value: { structuredContent: { lines: ["cart-1: started"] }, cached: false } });
    const [row] = await rows({ type: "tool.called", actor: "jamie" });
    expect(row?.data).toMatchObject({ server: "cluster", tool: "get_logs", outcome: "ok", cached: false, attempts: 1 });
    expect(typeof row?.data.durationMs).toBe("number");
  });

  it("narrows to an allowlist per server", async () => {
    const narrow = await createMcpToolbox({ agent: "jamie", config: { ...config(), servers: { cluster: { ...config().servers.cluster!, allow: { jamie: ["list_pods", "scale"] } } } }, audit, log: silentLog });
    try {
      expect(narrow.listTools().map((t) => t.name)).toEqual(["cluster__list_pods"]);
      expect(await narrow.call("get_logs", { cluster: "prod", namespace: "shop", pod: "x" })).toMatchObject({ ok: false, error: { reason: "not_allowlisted" } });
    } finally {
      await narrow.close();
    }
  });
});

describe("LangChain tools for an LLM agent", () => {
  it("never offer a decision parameter", () => {
    for (const tool of [...scarlet.langchainTools(), ...jamie.langchainTools()]) {
      const schema = tool.schema as { properties?: Record<string, unknown>; required?: string[] };
      expect(schema.properties ?? {}).not.toHaveProperty("decision");
      expect(schema.required ?? []).not.toContain("decision");
    }
    const scale = scarlet.langchainTools().find((t) => t.name === "cluster__scale");
    expect((scale?.schema as { properties: Record<string, unknown> }).properties).toHaveProperty("dryRun");
  });

  it("drop a decision a model writes into the arguments, so the write is refused", async () => {
    const scale = scarlet.langchainTools().find((t) => t.name === "cluster__scale");
    await expect(scale?.invoke({ ...scaleArgs, decision: decide() })).rejects.toThrow(/needs a policy decision/);
    expect(callsOf("scale")).toHaveLength(0);
  });

  it("run a read and return its text and structured result", async () => {
    const list = jamie.langchainTools().find((t) => t.name === "cluster__list_pods");
    const message = await list?.invoke({ type: "tool_call", id: "call-1", name: "cluster__list_pods", args: { cluster: "staging", namespace: "shop" } });
    expect(String((message as { content: unknown }).content)).toMatch(/2 pods/);
    expect((message as { artifact: unknown }).artifact).toMatchObject({ pods: [{ name: "cart-1" }, { name: "web-1" }] });
  });
});

describe("audit of arguments", () => {
  it("never stores a secret-looking argument", async () => {
    const secrets = ["tok-9f8e7d6c5b4a", "hunter2-very-secret", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"];
    const r = await jamie.call("cluster__get_logs", {
      cluster: "prod",
      namespace: "shop",
      pod: "cart-1",
      apiToken: secrets[0],
      query: `{app="cart"} |= "password=${secrets[1]}" |= "${secrets[2]}" authorization: Bearer ${secrets[3]}`,
    });
    expect(r.ok).toBe(true);
    // The server still got what it was asked for; only the record is redacted.
    expect(callsOf("get_logs")[0]?.args.apiToken).toBe(secrets[0]);
    const [row] = await rows({ type: "tool.called", actor: "jamie" });
    const stored = (await admin.query("SELECT data::text AS data FROM audit_events WHERE seq = $1", [row?.seq])).rows[0].data as string;
    for (const s of secrets) expect(stored).not.toContain(s);
    expect(row?.data.args).toMatchObject({ pod: "cart-1", apiToken: "[Redacted]" });
    expect((row?.data.args as { query: string }).query).toContain('{app=\\"cart\\"}'.replaceAll("\\", ""));
  });
});

describe("tool errors and caching through the toolbox", () => {
  it("returns a tool's error as tool_error, audits it, and never caches it", async () => {
    const args = { cluster: "prod", namespace: "shop", pod: "missing" };
    expect(await jamie.call("get_logs", args)).toMatchObject({ ok: false, error: { code: "tool_error", message: "pod missing not found in shop" } });
    expect(await jamie.call("get_logs", args)).toMatchObject({ ok: false, error: { code: "tool_error" } });
    expect(callsOf("get_logs")).toHaveLength(2);
    const [row] = await rows({ type: "tool.called", actor: "jamie" });
    expect(row?.data).toMatchObject({ outcome: "error", error: "pod missing not found in shop" });
  });

  it("serves a repeated read from the cache until a write in its namespace invalidates it", async () => {
    const prodShop = { cluster: "prod", namespace: "shop" };
    const first = await scarlet.call("list_pods", prodShop);
    const second = await scarlet.call("list_pods", prodShop);
    expect(first).toMatchObject({ ok: true, value: { cached: false } });
    expect(second).toMatchObject({ ok: true, value: { cached: true, structuredContent: { served: 1 } } });
    const staging = { cluster: "staging", namespace: "shop" };
    await scarlet.call("list_pods", staging);
    expect(callsOf("list_pods")).toHaveLength(2);

    // A write in staging leaves prod's reads cached; one in prod/shop drops them.
    const stagingAction: Action = { ...scaleAction, cluster: "staging" };
    expect((await scarlet.call("scale", { ...scaleArgs, cluster: "staging" }, { decision: decide(stagingAction) })).ok).toBe(true);
    expect(await scarlet.call("list_pods", prodShop)).toMatchObject({ ok: true, value: { cached: true } });
    expect(await scarlet.call("list_pods", staging)).toMatchObject({ ok: true, value: { cached: false } });
    expect((await scarlet.call("scale", scaleArgs, { decision: decide() })).ok).toBe(true);
    expect(await scarlet.call("list_pods", prodShop)).toMatchObject({ ok: true, value: { cached: false } });
    const [row] = await rows({ type: "tool.called", actor: "scarlet" });
    expect(row?.data).toMatchObject({ tool: "list_pods", cached: false });
  });
});
