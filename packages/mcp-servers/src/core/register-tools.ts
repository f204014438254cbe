import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "@autodevops/shared";
import { boundText, DEFAULT_MAX_OUTPUT_CHARS } from "./bounded-text.js";
import { withDeadline } from "./deadline.js";
import type { AnyToolSpec } from "./define-tool.js";
import { scrubSecrets } from "./scrub-secrets.js";
import { ToolError } from "./tool-error.js";

export type RegisterOptions = {
  log: Pick<Logger, "info" | "warn">;
  /** Per-call timeout for tools that do not set their own. */
  timeoutMs?: number;
  maxOutputChars?: number;
};

export const DEFAULT_TOOL_TIMEOUT_MS = 15_000;

/** Registers each tool on the server with what every tool gets: annotations, timeout, bounds, scrubbing, errors as results. */
export function registerTools(server: McpServer, tools: readonly AnyToolSpec[], opts: RegisterOptions): void {
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: {
          title: tool.title,
          readOnlyHint: tool.kind === "read",
          destructiveHint: tool.kind === "write",
          idempotentHint: tool.idempotent ?? tool.kind === "read",
          openWorldHint: tool.openWorld ?? true,
        },
      },
      // The SDK has validated `args` against `tool.input` (a malformed call is already an isError result).
      async (args: unknown, extra: { signal: AbortSignal }) => callTool(tool, args, extra.signal, opts),
    );
  }
}

/** Runs one call with the tool's time limit; every outcome is a tool result, never a protocol error. */
export async function callTool(tool: AnyToolSpec, args: unknown, callerSignal: AbortSignal, opts: RegisterOptions): Promise<CallToolResult> {
  const timeoutMs = tool.timeoutMs ?? opts.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  const { signal, clear } = withDeadline(callerSignal, timeoutMs, tool.name);
  const started = performance.now();
  try {
    const result = await Promise.race([tool.run(args, { signal }), aborted(signal, tool.name, timeoutMs)]);
    const data = scrubSecrets(result.data);
    const text = boundText(`${result.summary}\n\n${JSON.stringify(data, null, 1)}`, opts.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS);
    return { content: [{ type: "text", text }], structuredContent: data as Record<string, unknown> };
  } catch (e) {
    const message = e instanceof ToolError ? e.message : `${tool.name} failed: ${e instanceof Error ? e.message : String(e)}`;
    if (!(e instanceof ToolError)) opts.log.warn({ tool: tool.name, err: e, ms: Math.round(performance.now() - started) }, "tool failed");
    return { content: [{ type: "text", text: message }], isError: true };
  } finally {
    clear();
  }
}

function aborted(signal: AbortSignal, name: string, timeoutMs: number): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(new ToolError(signal.reason instanceof DOMException && signal.reason.name === "TimeoutError" ? `${name} timed out after ${timeoutMs} ms` : `${name} was cancelled`));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
}
