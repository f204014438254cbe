import { readFileSync } from "node:fs";
import type { z } from "zod";
import { err, ok, type Result } from "@autodevops/shared";
import type { Endpoint } from "../connection/server-connection.js";
import { OWN_SERVERS, ownServerBinary, type OwnServerDef } from "./own-servers.js";
import { entrySchemaOf, OWN_SERVER_NAMES, ServersDocument, type OwnServerName, type ServerEntry } from "./server-entry.js";
import type { McpServersConfig, ServerConfig, ServerSettings } from "./servers-config.js";

/** One thing to fix in the MCP server configuration: where (`MCP_SERVERS.github.url`) and what. */
export type McpConfigIssue = { path: string; message: string };

type Env = Record<string, string | undefined>;

export type LoadOptions = {
  readFile?: (path: string) => string;
  ownServers?: Record<OwnServerName, OwnServerDef>;
  /** The node binary our servers' shims run with (this process's by default). */
  nodePath?: string;
};

/** Our five servers, each on by default (and left out when its environment is missing). */
const DEFAULTS: Record<string, Record<string, unknown>> = Object.fromEntries(OWN_SERVER_NAMES.map((n) => [n, { own: n }]));

const set = (env: Env, name: string) => env[name] !== undefined && env[name]?.trim() !== "";

function readDocument(env: Env, readFile: (p: string) => string): Result<{ source: string; doc: unknown }, McpConfigIssue[]> {
  const inline = set(env, "MCP_SERVERS") ? env.MCP_SERVERS : undefined;
  const file = set(env, "MCP_SERVERS_FILE") ? env.MCP_SERVERS_FILE?.trim() : undefined;
  if (inline !== undefined && file !== undefined) return err([{ path: "MCP_SERVERS_FILE", message: "set either MCP_SERVERS or MCP_SERVERS_FILE, not both" }]);
  if (inline === undefined && file === undefined) return ok({ source: "defaults", doc: {} });
  const source = inline !== undefined ? "MCP_SERVERS" : `MCP_SERVERS_FILE (${file})`;
  let text: string;
  try {
    text = inline ?? readFile(file ?? "");
  } catch (e) {
    return err([{ path: "MCP_SERVERS_FILE", message: `cannot read ${file}: ${(e as Error).message}` }]);
  }
  try {
    return ok({ source, doc: JSON.parse(text) as unknown });
  } catch (e) {
    return err([{ path: source, message: `not valid JSON: ${(e as Error).message}` }]);
  }
}

const issuesOf = (prefix: string, error: z.ZodError): McpConfigIssue[] =>
  error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].join("."),
    message:
      i.code === "unrecognized_keys"
        ? `unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.join(", ")}`
        : i.code === "invalid_key"
          ? (i.issues[0]?.message ?? i.message)
          : i.message,
  }));

/** `${NAME}` in a value is replaced from the environment; a name that is unset makes the server unusable. */
function expand(value: string, env: Env, missing: Set<string>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    if (!set(env, name)) missing.add(name);
    return env[name] ?? "";
  });
}
const expandRecord = (r: Record<string, string> | undefined, env: Env, missing: Set<string>) =>
  r === undefined ? undefined : Object.fromEntries(Object.entries(r).map(([k, v]) => [k, expand(v, env, missing)]));

function settingsOf(e: ServerEntry, decisionAware: boolean): ServerSettings {
  return { timeoutMs: e.timeoutMs, allow: e.allow, tools: e.tools, decisionAware };
}

function resolveEntry(name: string, e: ServerEntry, env: Env, opts: Required<LoadOptions>): ServerConfig | { skip: string } {
  if (e.enabled === false) return { skip: "disabled in the configuration" };
  const missing = new Set<string>();
  let config: ServerConfig;
  if ("own" in e) {
    const def = opts.ownServers[e.own];
    const absent = def.requires.filter((v) => !set(env, v));
    if (absent.length > 0) return { skip: `${absent.join(", ")} ${absent.length > 1 ? "are" : "is"} not set` };
    const passed = Object.fromEntries(Object.entries(env).filter((kv): kv is [string, string] => kv[1] !== undefined && def.passes(kv[0])));
    const build = def.build;
    const run = e.run ?? (build ? "in-process" : "child-process");
    if (run === "in-process" && !build) return { skip: `${e.own} cannot run in-process yet; set "run": "child-process"` };
    config = {
      ...settingsOf(e, true),
      source:
        run === "in-process" && build
          ? { kind: "in-process", build: (log) => build(passed, log) }
          : { kind: "endpoint", endpoint: { transport: "stdio", command: opts.nodePath, args: [ownServerBinary(e.own)], env: passed } },
    };
  } else if ("command" in e) {
    const endpoint: Endpoint = {
      transport: "stdio",
      command: expand(e.command, env, missing),
      args: (e.args ?? []).map((a) => expand(a, env, missing)),
      ...(e.env ? { env: expandRecord(e.env, env, missing) } : {}),
      ...(e.cwd ? { cwd: e.cwd } : {}),
      ...(e.stderr ? { stderr: e.stderr } : {}),
    };
    config = { ...settingsOf(e, false), source: { kind: "endpoint", endpoint } };
  } else {
    const endpoint: Endpoint = { transport: "http", url: expand(e.url, env, missing), ...(e.headers ? { headers: expandRecord(e.headers, env, missing) } : {}) };
    config = { ...settingsOf(e, false), source: { kind: "endpoint", endpoint } };
  }
  if (missing.size > 0) return { skip: `${[...missing].join(", ")} ${missing.size > 1 ? "are" : "is"} not set` };
  return config;
}

/**
 * The MCP servers from the environment: `MCP_SERVERS` (JSON) or `MCP_SERVERS_FILE` (a path to
 * JSON), a map of server name to `{own}`, `{command, args, env}` or `{url, headers}` (or `false`),
 * merged over the defaults — our five servers. A user entry without `own`, `command` or `url`
 * changes settings of the default of that name. A server whose environment is missing is left out
 * with the reason; a malformed entry is an error naming every bad field.
 */
export function loadMcpServersConfig(env: Env, options: LoadOptions = {}): Result<McpServersConfig, McpConfigIssue[]> {
  const opts: Required<LoadOptions> = { readFile: (p) => readFileSync(p, "utf8"), ownServers: OWN_SERVERS, nodePath: process.execPath, ...options };
  const read = readDocument(env, opts.readFile);
  if (!read.ok) return read;
  const { source, doc } = read.value;
  const parsedDoc = ServersDocument.safeParse(doc);
  if (!parsedDoc.success) return err(issuesOf(source, parsedDoc.error));

  const merged: Record<string, Record<string, unknown> | false> = { ...DEFAULTS };
  for (const [name, entry] of Object.entries(parsedDoc.data)) {
    const base = DEFAULTS[name];
    merged[name] = entry === false ? false : base && entrySchemaOf(entry) === undefined ? { ...base, ...entry } : entry;
  }

  const issues: McpConfigIssue[] = [];
  const servers: Record<string, ServerConfig> = {};
  const skipped: McpServersConfig["skipped"] = [];
  for (const [name, raw] of Object.entries(merged)) {
    if (raw === false) {
      skipped.push({ server: name, reason: "disabled in the configuration" });
      continue;
    }
    const schema = entrySchemaOf(raw);
    if (!schema) {
      issues.push({ path: `${source}.${name}`, message: 'expected "own" (one of ours), "command" (a server over stdio) or "url" (a server over Streamable HTTP)' });
      continue;
    }
    const entry = schema.safeParse(raw);
    if (!entry.success) {
      issues.push(...issuesOf(`${source}.${name}`, entry.error));
      continue;
    }
    const resolved = resolveEntry(name, entry.data, env, opts);
    if ("skip" in resolved) skipped.push({ server: name, reason: resolved.skip });
    else servers[name] = resolved;
  }
  return issues.length > 0 ? err(issues) : ok({ servers, skipped });
}

/** The issues as one message, a line each. */
export function formatMcpConfigIssues(issues: readonly McpConfigIssue[]): string {
  return `bad MCP server configuration:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n")}`;
}
