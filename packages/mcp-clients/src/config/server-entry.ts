import { z } from "zod";

/** The project's own servers, each also a binary `autodevops-mcp-<name>`. */
export const OWN_SERVER_NAMES = ["kubernetes", "prometheus", "loki", "tempo", "github"] as const;
export type OwnServerName = (typeof OWN_SERVER_NAMES)[number];

/** Server names prefix tool names (`kubernetes__list_pods`), which LLM APIs limit to [A-Za-z0-9_-]. */
const ServerName = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/, "expected a server name of lowercase letters, digits and single dashes (at most 32), e.g. k8s-community");

const ToolSettings = z.strictObject({
  timeoutMs: z.number().int().min(1).max(600_000, "expected at most 600000 ms").optional(),
  /** 0: never cache this tool. */
  cacheTtlMs: z.number().int().min(0).max(3_600_000, "expected at most 3600000 ms").optional(),
});

/** Settings every kind of server entry takes. */
const common = {
  enabled: z.boolean().optional(),
  /** Default per-call timeout for this server's tools. */
  timeoutMs: z.number().int().min(1).max(600_000, "expected at most 600000 ms").optional(),
  /** Per agent, the only tools of this server it is offered (never widens: Jamie still gets reads only). */
  allow: z.strictObject({ jamie: z.array(z.string().min(1)).optional(), scarlet: z.array(z.string().min(1)).optional() }).optional(),
  tools: z.record(z.string().min(1), ToolSettings).optional(),
};

/** `{"own": "kubernetes", "run": "child-process"}`: one of ours, in this process (default) or as its binary. */
export const OwnServerEntry = z.strictObject({
  own: z.enum(OWN_SERVER_NAMES, { error: `expected one of ${OWN_SERVER_NAMES.join(", ")}` }),
  run: z.enum(["in-process", "child-process"], { error: "expected in-process or child-process" }).optional(),
  ...common,
});

/** `{"command": "npx", "args": ["-y", "some-mcp-server"], "env": {...}}`: any server over stdio. */
export const StdioServerEntry = z.strictObject({
  command: z.string().min(1, "expected the command that starts the server"),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().min(1).optional(),
  stderr: z.enum(["inherit", "ignore"]).optional(),
  ...common,
});

/** `{"url": "https://…/mcp", "headers": {"authorization": "Bearer ${TOKEN}"}}`: any server over Streamable HTTP. */
export const HttpServerEntry = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: "expected an http:// or https:// URL of the server's MCP endpoint" }),
  headers: z.record(z.string(), z.string()).optional(),
  ...common,
});

export type OwnServerEntry = z.infer<typeof OwnServerEntry>;
export type StdioServerEntry = z.infer<typeof StdioServerEntry>;
export type HttpServerEntry = z.infer<typeof HttpServerEntry>;
export type ServerEntry = OwnServerEntry | StdioServerEntry | HttpServerEntry;

/** An entry in MCP_SERVERS: a server by name, or `false` to leave a default one out. */
export const ServersDocument = z.custom<Record<string, unknown>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), {
  error: 'expected a JSON object of server name to server, e.g. {"k8s": {"command": "kubernetes-mcp-server", "args": ["--read-only"]}}',
}).pipe(z.record(ServerName, z.union([z.literal(false), z.record(z.string(), z.unknown())], { error: "expected a server object, or false to leave it out" })));

/** Which schema an entry is read with, by its defining field; `undefined` when it has none. */
export function entrySchemaOf(raw: Record<string, unknown>): typeof OwnServerEntry | typeof StdioServerEntry | typeof HttpServerEntry | undefined {
  if ("own" in raw) return OwnServerEntry;
  if ("command" in raw) return StdioServerEntry;
  if ("url" in raw) return HttpServerEntry;
  return undefined;
}
