import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { createMcpServer, defineTool, serveHttp, ToolError, type ServerSpec } from "@autodevops/mcp-servers";
import { createLogger, ok, type AuditError, type AuditEvent, type NewAuditEvent, type Result } from "@autodevops/shared";

export const silentLog = createLogger({ service: "mcp-clients-test", level: "silent" });

/** What a test server received: each call's tool and arguments, in order. */
export type CallLog = { tool: string; args: Record<string, unknown> }[];

const Scale = z.strictObject({ replicas: z.number().int().min(0), from: z.number().int().optional(), workloadKind: z.enum(["Deployment", "StatefulSet"]).optional() });

/**
 * A small cluster-shaped server built from the real core: reads (`list_pods`, `get_logs`, `slow`)
 * and writes shaped like our kubernetes server's (`scale`, `delete_pod`, `cordon_node`: cluster,
 * namespace, target, params, dryRun, decision). It records every call, so a test sees what
 * reached it — a cache hit does not, a refused write does not, a forwarded decision does.
 */
export function clusterSpec(calls: CallLog, opts: { name?: string } = {}): ServerSpec {
  const record = (tool: string, args: Record<string, unknown>) => calls.push({ tool, args: structuredClone(args) });
  const writeInput = <P extends z.ZodType>(params: P, namespaced = true) =>
    z.object({
      cluster: z.string().min(1),
      namespace: namespaced ? z.string().min(1) : z.literal("").default(""),
      target: z.string().min(1),
      params,
      dryRun: z.boolean().default(false),
      decision: z.string().optional(),
    });
  const writeOutput = z.object({ changed: z.boolean(), dryRun: z.boolean(), decisionSeen: z.boolean() });
  return {
    name: opts.name ?? "test-cluster",
    version: "1.0.0",
    instructions: "a test cluster",
    tools: [
      defineTool({
        name: "list_pods",
        title: "List pods",
        description: "Lists the pods of a namespace.",
        input: z.object({ cluster: z.string(), namespace: z.string().optional() }),
        output: z.object({ pods: z.array(z.object({ name: z.string(), status: z.string() })), served: z.number() }),
        kind: "read",
        run: async (args) => {
          record("list_pods", args);
          const served = calls.filter((c) => c.tool === "list_pods").length;
          return { summary: `2 pods (call ${served})`, data: { pods: [{ name: "cart-1", status: "Running" }, { name: "web-1", status: "Running" }], served } };
        },
      }),
      defineTool({
        name: "get_logs",
        title: "Get logs",
        description: "Reads a pod's logs.",
        input: z.object({ cluster: z.string(), namespace: z.string(), pod: z.string(), query: z.string().optional(), apiToken: z.string().optional() }),
        output: z.object({ lines: z.array(z.string()) }),
        kind: "read",
        run: async (args) => {
          record("get_logs", args);
          if (args.pod === "missing") throw new ToolError(`pod ${args.pod} not found in ${args.namespace}`);
          return { summary: "1 line", data: { lines: [`${args.pod}: started`] } };
        },
      }),
      defineTool({
        name: "slow_query",
        title: "Slow query",
        description: "Answers after `ms` milliseconds.",
        input: z.object({ ms: z.number().int().min(0) }),
        output: z.object({ waited: z.number() }),
        kind: "read",
        timeoutMs: 60_000,
        run: async (args, ctx) => {
          record("slow_query", args);
          await new Promise((r) => {
            const t = setTimeout(r, args.ms);
            ctx.signal.addEventListener("abort", () => clearTimeout(t), { once: true });
          });
          return { summary: "done", data: { waited: args.ms } };
        },
      }),
      defineTool({
        name: "scale",
        title: "Scale",
        description: "Scales a workload.",
        input: writeInput(Scale),
        output: writeOutput,
        kind: "write",
        run: async (args) => {
          record("scale", args);
          return { summary: args.dryRun ? "would scale" : "scaled", data: { changed: !args.dryRun, dryRun: args.dryRun, decisionSeen: args.decision !== undefined } };
        },
      }),
      defineTool({
        name: "delete_pod",
        title: "Delete pod",
        description: "Deletes a pod.",
        input: writeInput(z.strictObject({ pod: z.string() })),
        output: writeOutput,
        kind: "write",
        run: async (args) => {
          record("delete_pod", args);
          return { summary: "deleted", data: { changed: !args.dryRun, dryRun: args.dryRun, decisionSeen: args.decision !== undefined } };
        },
      }),
      defineTool({
        name: "cordon_node",
        title: "Cordon node",
        description: "Marks a node unschedulable.",
        input: writeInput(z.strictObject({}), false),
        output: writeOutput,
        kind: "write",
        run: async (args) => {
          record("cordon_node", args);
          return { summary: "cordoned", data: { changed: !args.dryRun, dryRun: args.dryRun, decisionSeen: args.decision !== undefined } };
        },
      }),
    ],
  };
}

/**
 * A server written straight on the SDK, as a third party might: `peek` declares no annotations at
 * all, `count` says it is read-only.
 */
export function bareSdkServer(calls: CallLog): McpServer {
  const server = new McpServer({ name: "bare", version: "0.0.1" });
  server.registerTool("peek", { description: "No annotations: reads or writes, who knows.", inputSchema: { what: z.string() } }, async (args) => {
    calls.push({ tool: "peek", args });
    return { content: [{ type: "text", text: `peeked at ${args.what}` }] };
  });
  server.registerTool("count", { description: "Counts.", inputSchema: {}, annotations: { readOnlyHint: true } }, async () => {
    calls.push({ tool: "count", args: {} });
    return { content: [{ type: "text", text: "3" }] };
  });
  return server;
}

/** A spec served over Streamable HTTP on loopback (port 0: a free one). */
export async function serveSpec(spec: ServerSpec, port = 0) {
  return serveHttp(() => createMcpServer(spec, { log: silentLog }), { host: "127.0.0.1", port, log: silentLog });
}

/**
 * An HTTP proxy in front of an MCP endpoint that breaks the first `failures` tool calls at the
 * transport: a 503 for odd ones, a dropped connection for even ones. `toolCallsPassed` counts the
 * tool calls that reached the server.
 */
export async function flakyProxy(target: string, failures: number): Promise<{ url: string; toolCallsSeen: () => number; toolCallsPassed: () => number; close(): Promise<void> }> {
  let seen = 0;
  let passed = 0;
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      let isToolCall = false;
      try {
        isToolCall = (JSON.parse(body.toString("utf8")) as { method?: string }).method === "tools/call";
      } catch {
        // Not JSON: pass it on untouched.
      }
      if (isToolCall) {
        seen++;
        if (seen <= failures) {
          if (seen % 2 === 1) return void res.writeHead(503, { "content-type": "text/plain" }).end("upstream restarting");
          return void req.socket.destroy();
        }
        passed++;
      }
      const out = request(
        { host: upstream.hostname, port: upstream.port, path: upstream.pathname, method: req.method, headers: { ...req.headers, host: upstream.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on("error", () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    toolCallsSeen: () => seen,
    toolCallsPassed: () => passed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An audit store in memory, for tests about something other than the audit itself. */
export function memoryAudit(): { events: NewAuditEvent[]; append(e: NewAuditEvent): Promise<Result<AuditEvent, AuditError>> } {
  const events: NewAuditEvent[] = [];
  return {
    events,
    append: async (e) => {
      events.push(e);
      return ok({ seq: events.length, at: new Date().toISOString(), actor: e.actor, type: e.type, incidentId: e.incidentId ?? null, target: e.target ?? null, cluster: e.cluster ?? null, namespace: e.namespace ?? null, data: e.data ?? {}, prevHash: "0".repeat(64), hash: "0".repeat(64) });
    },
  };
}
