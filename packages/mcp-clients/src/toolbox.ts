import type { KeyObject } from "node:crypto";
import type { DynamicStructuredTool } from "@langchain/core/tools";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { DecisionLedger, err, ok, type AuditStore, type DecisionClaims, type Logger, type Result } from "@autodevops/shared";
import { auditToolCall, type ToolCallRecord } from "./audit/tool-audit.js";
import { MemoryToolCache } from "./cache/memory-cache.js";
import { cacheKeyOf, scopeOf, type ToolCache } from "./cache/tool-cache.js";
import { defaultTtlMs } from "./cache/ttl.js";
import { buildCatalog, resolveTool, type CatalogEntry } from "./catalog.js";
import type { McpServersConfig, ServerSettings } from "./config/servers-config.js";
import { serveInProcess } from "./connection/in-process.js";
import { ServerConnection, type DiscoveredTool } from "./connection/server-connection.js";
import { toLangChainTools } from "./langchain-tools.js";
import type { Agent } from "./policy/tool-policy.js";
import { checkWrite } from "./policy/write-guard.js";
import { backoffMs, DEFAULT_RETRY, sleep, type RetrySettings } from "./resilience/backoff.js";
import { classifyCallError, errorMessage, type CallFailureKind } from "./resilience/errors.js";

export const DEFAULT_CALL_TIMEOUT_MS = 15_000;
const REDISCOVERY_INTERVAL_MS = 5_000;

export type ToolboxOptions = {
  agent: Agent;
  config: McpServersConfig;
  audit: Pick<AuditStore, "append">;
  /** Where read results are cached; an in-process LRU when absent. */
  cache?: ToolCache;
  /** The policy layer's public key (PEM): without it every write without dryRun is refused. */
  policyPublicKey?: string | KeyObject;
  log: Logger;
  defaultTimeoutMs?: number;
  retry?: Partial<RetrySettings>;
  now?: () => Date;
  random?: () => number;
};

/** A tool the agent is offered: its catalog entry without the offer. */
export type ToolInfo = Omit<CatalogEntry, "offer">;

export type CallOptions = {
  /** The policy decision token for a write; never taken from the arguments. */
  decision?: string;
  signal?: AbortSignal;
  /** Overrides the tool's timeout for this call. */
  timeoutMs?: number;
  /** Skip the cached result (the fresh one is cached). */
  fresh?: boolean;
};

export type ToolOutput = {
  server: string;
  tool: string;
  /** The result's text blocks, joined. */
  text: string;
  content: CallToolResult["content"];
  structuredContent?: Record<string, unknown>;
  cached: boolean;
};

export type ToolCallError =
  | { code: "refused"; reason: string; message: string }
  | { code: "tool_error"; message: string }
  | { code: "unavailable"; message: string }
  | { code: "timeout"; message: string }
  | { code: "cancelled"; message: string }
  | { code: "protocol"; message: string };

/** The one way an agent reaches MCP tools: policy, audit, timeouts, retries, cache. */
export interface McpToolbox {
  readonly agent: Agent;
  /** Servers left out (by configuration, missing environment, or failure to build). */
  readonly skipped: readonly { server: string; reason: string }[];
  /** The tools this agent is offered: for Jamie, reads only. */
  listTools(): ToolInfo[];
  call(tool: string, args?: Record<string, unknown>, opts?: CallOptions): Promise<Result<ToolOutput, ToolCallError>>;
  /** The offered tools as LangChain tools for an LLM agent: no decision parameter, ever. */
  langchainTools(): DynamicStructuredTool[];
  /** Asks every server for its tools again. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

const textOf = (r: CallToolResult) =>
  (r.content ?? [])
    .filter((c): c is Extract<typeof c, { type: "text" }> => c.type === "text")
    .map((c) => c.text)
    .join("\n");

function timeoutError(ms: number): Error {
  const e = new Error(`no answer within ${ms} ms`);
  e.name = "TimeoutError";
  return e;
}

/** `p`, or a TimeoutError after `ms` (connecting again has no timeout of its own). */
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(ms)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Starts in-process servers, connects to every server and reads their tools. */
export async function createMcpToolbox(opts: ToolboxOptions): Promise<McpToolbox> {
  const log = opts.log.child({ component: "mcp-toolbox", agent: opts.agent });
  const skipped = [...opts.config.skipped];
  for (const s of skipped) log.info({ server: s.server, reason: s.reason }, "MCP server left out");
  const closers: (() => Promise<void>)[] = [];
  const connections = new Map<string, ServerConnection>();
  const settings: Record<string, ServerSettings> = {};

  for (const [name, server] of Object.entries(opts.config.servers)) {
    if (server.source.kind === "in-process") {
      try {
        const spec = await server.source.build(log.child({ server: name }));
        const running = await serveInProcess(spec, log.child({ server: name }));
        closers.push(running.close);
        connections.set(name, new ServerConnection(name, running.endpoint, log));
      } catch (e) {
        const reason = `could not be built in-process: ${errorMessage(e)}`;
        log.warn({ server: name, reason }, "MCP server left out");
        skipped.push({ server: name, reason });
        continue;
      }
    } else {
      connections.set(name, new ServerConnection(name, server.source.endpoint, log));
    }
    settings[name] = server;
  }

  const toolbox = new Toolbox(opts, log, connections, settings, skipped, closers);
  await toolbox.refresh();
  return toolbox;
}

class Toolbox implements McpToolbox {
  readonly agent: Agent;
  readonly skipped: readonly { server: string; reason: string }[];
  readonly #opts: ToolboxOptions;
  readonly #log: Logger;
  readonly #connections: Map<string, ServerConnection>;
  readonly #settings: Record<string, ServerSettings>;
  readonly #closers: (() => Promise<void>)[];
  readonly #cache: ToolCache;
  readonly #ledger = new DecisionLedger();
  readonly #retry: RetrySettings;
  readonly #now: () => Date;
  readonly #random: () => number;
  readonly #discovered: Record<string, DiscoveredTool[]> = {};
  /** Servers whose tools could not be read yet: asked again when a call names an unknown tool. */
  readonly #undiscovered = new Set<string>();
  #lastRediscovery = Number.NEGATIVE_INFINITY;
  #catalog = new Map<string, CatalogEntry>();

  constructor(opts: ToolboxOptions, log: Logger, connections: Map<string, ServerConnection>, settings: Record<string, ServerSettings>, skipped: { server: string; reason: string }[], closers: (() => Promise<void>)[]) {
    this.agent = opts.agent;
    this.skipped = skipped;
    this.#opts = opts;
    this.#log = log;
    this.#connections = connections;
    this.#settings = settings;
    this.#closers = closers;
    this.#cache = opts.cache ?? new MemoryToolCache();
    this.#retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.#now = opts.now ?? (() => new Date());
    this.#random = opts.random ?? Math.random;
  }

  async refresh(servers: Iterable<string> = this.#connections.keys()): Promise<void> {
    await Promise.all(
      [...servers].map(async (name) => {
        const conn = this.#connections.get(name);
        if (!conn) return;
        try {
          this.#discovered[name] = await withDeadline(conn.listTools(), this.#opts.defaultTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
          this.#undiscovered.delete(name);
        } catch (e) {
          await conn.reset();
          this.#undiscovered.add(name);
          this.#log.warn({ server: name, err: errorMessage(e) }, "MCP server unavailable: its tools are missing until it answers");
        }
      }),
    );
    this.#catalog = buildCatalog(this.agent, this.#discovered, this.#settings);
    const offered = [...this.#catalog.values()].filter((e) => e.offer.offered);
    this.#log.info({ servers: Object.keys(this.#discovered), tools: offered.length, withheld: this.#catalog.size - offered.length }, "MCP tools loaded");
  }

  listTools(): ToolInfo[] {
    return [...this.#catalog.values()]
      .filter((e) => e.offer.offered)
      .map(({ name, server, tool, class: klass, description, inputSchema, annotations }) => ({ name, server, tool, class: klass, description, inputSchema, annotations }));
  }

  langchainTools(): DynamicStructuredTool[] {
    return toLangChainTools(this);
  }

  async call(name: string, rawArgs: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<Result<ToolOutput, ToolCallError>> {
    const started = performance.now();
    // A decision comes only from the caller's options: one in the arguments (from a model, say) is dropped.
    const { decision: argDecision, ...args } = rawArgs;
    if (argDecision !== undefined) this.#log.warn({ tool: name }, "a decision in the tool arguments is ignored; Scarlet's act step passes it as an option");

    let resolved = resolveTool(this.#catalog, name);
    // At most every few seconds: a call for a tool nobody has must not wait on a dead server each time.
    if (!resolved.ok && this.#undiscovered.size > 0 && performance.now() - this.#lastRediscovery > REDISCOVERY_INTERVAL_MS) {
      this.#lastRediscovery = performance.now();
      await this.refresh([...this.#undiscovered]);
      resolved = resolveTool(this.#catalog, name);
    }
    if (!resolved.ok) {
      return this.#refuse({ server: "?", tool: name, args, started, reason: "unknown_tool", message: `refused: ${resolved.error}` });
    }
    const entry = resolved.value;
    const base = { server: entry.server, tool: entry.tool, args, started };
    if (!entry.offer.offered) return this.#refuse({ ...base, reason: entry.offer.reason, message: `refused: ${entry.offer.message}` });

    const settings = this.#settings[entry.server] ?? {};
    let sendArgs: Record<string, unknown> = args;
    let claims: DecisionClaims | undefined;
    let dryRun: boolean | undefined;
    if (entry.class === "write") {
      const check = checkWrite({ toolName: entry.tool, args, decision: opts.decision, publicKey: this.#opts.policyPublicKey, serverHonoursDryRun: settings.decisionAware === true, now: this.#now() });
      if (!check.ok) return this.#refuse({ ...base, reason: check.error.reason, message: check.error.message, rejectedDecisionToken: opts.decision });
      dryRun = check.value.dryRun;
      if (!check.value.dryRun) {
        claims = check.value.claims;
        if (!this.#ledger.use(claims, this.#now())) {
          return this.#refuse({ ...base, reason: "replayed", message: `refused: decision ${claims.id} was already used`, rejectedDecisionToken: opts.decision });
        }
        // Our servers check the decision again; a third-party server gets only its own arguments.
        if (settings.decisionAware) sendArgs = { ...args, decision: check.value.token };
      }
    }

    const toolSettings = settings.tools?.[entry.tool];
    const ttlMs = entry.class === "read" ? (toolSettings?.cacheTtlMs ?? defaultTtlMs(entry.tool)) : 0;
    const key = cacheKeyOf(entry.server, entry.tool, args);
    if (ttlMs > 0 && !opts.fresh) {
      const hit = await this.#cache.get(key);
      if (hit) {
        await this.#audit({ ...base, outcome: "ok", cached: true, attempts: 0 });
        return ok(this.#output(entry, hit, true));
      }
    }

    const timeoutMs = opts.timeoutMs ?? toolSettings?.timeoutMs ?? settings.timeoutMs ?? this.#opts.defaultTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const sent = await this.#send(entry, sendArgs, timeoutMs, opts.signal);
    // A write that was sent may have changed things, whatever came back.
    if (entry.class === "write" && dryRun === false) {
      const scope = scopeOf(args);
      const dropped = await this.#cache.invalidate(scope);
      this.#log.debug({ tool: entry.name, ...scope, dropped }, "cache invalidated by a write");
    }
    const record = { ...base, attempts: sent.attempts, cached: false, ...(dryRun !== undefined ? { dryRun } : {}), ...(claims ? { decision: claims } : {}) };
    if (!sent.ok) {
      await this.#audit({ ...record, outcome: "error", error: sent.error.message });
      return err(sent.error);
    }
    if (sent.result.isError) {
      const message = textOf(sent.result) || `${entry.name} failed without a message`;
      await this.#audit({ ...record, outcome: "error", error: message });
      return err({ code: "tool_error", message });
    }
    if (ttlMs > 0) await this.#cache.set(key, scopeOf(args), sent.result, ttlMs);
    await this.#audit({ ...record, outcome: "ok" });
    return ok(this.#output(entry, sent.result, false));
  }

  /** Sends the call; on a transport failure reconnects, and retries a read with backoff within its time. */
  async #send(entry: CatalogEntry, args: Record<string, unknown>, timeoutMs: number, signal: AbortSignal | undefined): Promise<({ ok: true; result: CallToolResult } | { ok: false; error: ToolCallError }) & { attempts: number }> {
    const conn = this.#connections.get(entry.server);
    if (!conn) return { ok: false, error: { code: "unavailable", message: `${entry.server} is not connected` }, attempts: 0 };
    const deadline = performance.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const remaining = Math.max(1, Math.round(deadline - performance.now()));
      try {
        const result = await withDeadline(conn.callTool(entry.tool, args, { timeoutMs: remaining, ...(signal ? { signal } : {}) }), remaining);
        return { ok: true, result, attempts: attempt };
      } catch (e) {
        const kind: CallFailureKind = signal?.aborted ? "cancelled" : classifyCallError(e);
        // A timeout leaves the connection alone: resetting it would kill a stdio server that is only slow.
        if (kind === "transport") await conn.reset();
        const delay = backoffMs(attempt, this.#retry, this.#random);
        const retry = kind === "transport" && entry.class === "read" && attempt < this.#retry.attempts && performance.now() + delay < deadline;
        if (!retry) return { ok: false, error: this.#failure(kind, entry, timeoutMs, e), attempts: attempt };
        this.#log.warn({ tool: entry.name, attempt, delayMs: Math.round(delay), err: errorMessage(e) }, "MCP transport failed; retrying the read");
        try {
          await sleep(delay, signal);
        } catch {
          return { ok: false, error: { code: "cancelled", message: `${entry.name} was cancelled` }, attempts: attempt };
        }
      }
    }
  }

  #failure(kind: CallFailureKind, entry: CatalogEntry, timeoutMs: number, e: unknown): ToolCallError {
    switch (kind) {
      case "timeout":
        return { code: "timeout", message: `${entry.name} timed out after ${timeoutMs} ms` };
      case "cancelled":
        return { code: "cancelled", message: `${entry.name} was cancelled` };
      case "transport":
        return { code: "unavailable", message: `${entry.server} is unavailable: ${errorMessage(e)}` };
      case "protocol":
        return { code: "protocol", message: `${entry.name}: ${errorMessage(e)}` };
    }
  }

  #output(entry: CatalogEntry, r: CallToolResult, cached: boolean): ToolOutput {
    return { server: entry.server, tool: entry.tool, text: textOf(r), content: r.content, ...(r.structuredContent ? { structuredContent: r.structuredContent } : {}), cached };
  }

  async #refuse(r: { server: string; tool: string; args: Record<string, unknown>; started: number; reason: string; message: string; rejectedDecisionToken?: string | undefined }): Promise<Result<never, ToolCallError>> {
    this.#log.warn({ server: r.server, tool: r.tool, reason: r.reason }, "MCP tool call refused");
    await this.#audit({ server: r.server, tool: r.tool, args: r.args, started: r.started, outcome: "refused", refusal: r.reason, error: r.message, ...(r.rejectedDecisionToken ? { rejectedDecisionToken: r.rejectedDecisionToken } : {}) });
    return err({ code: "refused", reason: r.reason, message: r.message });
  }

  #audit(r: Omit<ToolCallRecord, "agent" | "durationMs"> & { started: number }): Promise<void> {
    const { started, ...rest } = r;
    return auditToolCall(this.#opts.audit, this.#log, { ...rest, agent: this.agent, durationMs: performance.now() - started });
  }

  async close(): Promise<void> {
    await Promise.all([...this.#connections.values()].map((c) => c.close()));
    await Promise.all(this.#closers.map((c) => c()));
    if (!this.#opts.cache) await this.#cache.close();
  }
}
