import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { connectHttp, connectInMemory, textOf } from "../testing/connect.js";
import type { ServerSpec } from "./create-server.js";
import { defineTool } from "./define-tool.js";
import { parseServerArgs } from "./server-cli.js";
import { SECRET_REDACTED } from "./scrub-secrets.js";
import { ToolError } from "./tool-error.js";

const echo = defineTool({
  name: "echo_objects",
  title: "Echo objects",
  description: "Returns the objects it is given.",
  input: z.object({ objects: z.array(z.record(z.string(), z.unknown())).max(10), count: z.number().int().min(1) }),
  output: z.object({ objects: z.array(z.unknown()) }),
  kind: "read",
  run: async (args) => ({ summary: `${args.objects.length} objects`, data: { objects: args.objects } }),
});
const slow = defineTool({
  name: "slow",
  title: "Slow",
  description: "Never answers in time.",
  input: z.object({}),
  output: z.object({}),
  kind: "read",
  timeoutMs: 100,
  run: () => new Promise<never>(() => undefined),
});
const refuse = defineTool({
  name: "delete_everything",
  title: "Delete everything",
  description: "Refuses.",
  input: z.object({ really: z.boolean() }),
  output: z.object({}),
  kind: "write",
  run: async () => {
    throw new ToolError("refused: no decision token");
  },
});
const big = defineTool({
  name: "big",
  title: "Big",
  description: "A large result.",
  input: z.object({}),
  output: z.object({ lines: z.array(z.string()) }),
  kind: "read",
  run: async () => ({ summary: "many lines", data: { lines: Array.from({ length: 5000 }, (_, i) => `line ${i} ${"x".repeat(40)}`) } }),
});
const spec: ServerSpec = { name: "test-server", version: "1.0.0", instructions: "for tests", tools: [echo, slow, refuse, big] };

describe("MCP server core (in memory)", () => {
  let conn: Awaited<ReturnType<typeof connectInMemory>>;
  beforeAll(async () => {
    conn = await connectInMemory(spec);
  });
  afterAll(async () => conn?.close());

  it("declares each tool with its schemas and annotations", async () => {
    const { tools } = await conn.client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(byName.get("echo_objects")?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    expect(byName.get("delete_everything")?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get("echo_objects")?.inputSchema.properties).toHaveProperty("objects");
    expect(byName.get("echo_objects")?.outputSchema?.properties).toHaveProperty("objects");
  });

  it("answers a malformed call with isError naming the bad field", async () => {
    const r = await conn.client.callTool({ name: "echo_objects", arguments: { objects: "nope" } });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/objects/);
    expect(textOf(r)).toMatch(/count/);
  });

  it("never returns a Secret's data, in structured content or text", async () => {
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "db", annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"password":"aHVudGVyMg=="}}' } }, data: { password: "aHVudGVyMg==" }, type: "Opaque" };
    const listed = { metadata: { name: "api" }, type: "kubernetes.io/basic-auth", data: { username: "YWRtaW4=" } };
    const r = await conn.client.callTool({ name: "echo_objects", arguments: { objects: [secret, listed, { kind: "ConfigMap", data: { a: "visible" } }], count: 3 } });
    const text = textOf(r);
    expect(text).not.toContain("aHVudGVyMg==");
    expect(text).not.toContain("YWRtaW4=");
    expect(text).toContain("visible");
    const objects = (r.structuredContent as { objects: { data: Record<string, string> }[] }).objects;
    expect(objects[0]?.data.password).toBe(SECRET_REDACTED);
    expect(objects[1]?.data.username).toBe(SECRET_REDACTED);
  });

  it("times a call out as a tool error", async () => {
    const r = await conn.client.callTool({ name: "slow", arguments: {} });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toBe("slow timed out after 100 ms");
  });

  it("passes a tool's refusal back as its message", async () => {
    const r = await conn.client.callTool({ name: "delete_everything", arguments: { really: true } });
    expect(r).toMatchObject({ isError: true });
    expect(textOf(r)).toBe("refused: no decision token");
  });

  it("bounds the text of a large result and says how to narrow it", async () => {
    const r = await conn.client.callTool({ name: "big", arguments: {} });
    expect(textOf(r).length).toBeLessThan(25_000);
    expect(textOf(r)).toMatch(/more characters left out; narrow the query/);
  });
});

describe("MCP server core (Streamable HTTP)", () => {
  it("serves the tools over HTTP behind a bearer token", async () => {
    const conn = await connectHttp(spec, { bearerToken: "s3cret-token" });
    try {
      const r = await conn.client.callTool({ name: "echo_objects", arguments: { objects: [{ a: 1 }], count: 1 } });
      expect(r.structuredContent).toEqual({ objects: [{ a: 1 }] });
      const anonymous = await fetch(conn.url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) });
      expect(anonymous.status).toBe(401);
    } finally {
      await conn.close();
    }
  });
});

describe("server command line", () => {
  it.each([
    [[], {}],
    [["--stdio"], {}],
    [["--http", ":7101"], { http: { host: "127.0.0.1", port: 7101 } }],
    [["--http=0.0.0.0:7101"], { http: { host: "0.0.0.0", port: 7101 } }],
  ])("reads %j", (argv, want) => {
    expect(parseServerArgs(argv)).toEqual({ ok: true, value: want });
  });

  it("names the fix for a bad address or argument", () => {
    expect(parseServerArgs(["--http", "nope"])).toEqual({ ok: false, message: "expected --http [host:]port, e.g. --http :7101" });
    expect(parseServerArgs(["--verbose"])).toMatchObject({ ok: false, message: expect.stringContaining("usage") });
  });
});
