import type { z } from "zod";
import { err, ok, type Result } from "@autodevops/shared";
import type { McpToolbox, ToolCallError } from "@autodevops/mcp-clients";

/** The slice of the toolbox the assistant uses: it lists and calls, nothing else. */
export type ReadToolbox = Pick<McpToolbox, "listTools" | "call">;

/** A read tool's answer: its text (for quoting) and its structured data, checked against what we read of it. */
export type ReadResult<T> = { tool: string; text: string; data: T };

/** Our servers' names first: when a third-party server has a tool of the same name, ours is meant. */
const PREFERRED_SERVERS = ["kubernetes", "prometheus", "loki", "tempo", "github"];

/** The qualified name of the offered tool called `tool`, or undefined when no server offers it. */
export function findTool(toolbox: Pick<McpToolbox, "listTools">, tool: string): string | undefined {
  const offered = toolbox.listTools().filter((t) => t.tool === tool || t.name === tool);
  offered.sort((a, b) => rank(a.server) - rank(b.server));
  return offered[0]?.name;
}
const rank = (server: string) => {
  const i = PREFERRED_SERVERS.indexOf(server);
  return i === -1 ? PREFERRED_SERVERS.length : i;
};

/**
 * Calls a read tool and validates its structured output against `schema` (only the fields the
 * assistant reads). A missing tool, a failed call and an unexpected shape are all errors a
 * caller can say plainly.
 */
export async function callRead<T>(toolbox: ReadToolbox, tool: string, args: Record<string, unknown>, schema: z.ZodType<T>, signal?: AbortSignal): Promise<Result<ReadResult<T>, ToolCallError>> {
  const name = findTool(toolbox, tool);
  if (!name) return err({ code: "unavailable", message: `no connected MCP server offers ${tool}` });
  const r = await toolbox.call(name, args, signal ? { signal } : {});
  if (!r.ok) return r;
  const parsed = schema.safeParse(r.value.structuredContent ?? {});
  if (!parsed.success) return err({ code: "protocol", message: `${name} answered in an unexpected shape: ${parsed.error.issues[0]?.message ?? "invalid"}` });
  return ok({ tool: name, text: r.value.text, data: parsed.data });
}
