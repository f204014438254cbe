/** The agents that reach tools through the toolbox. */
export type Agent = "jamie" | "scarlet";

/** What a tool may do, as far as the toolbox trusts it. */
export type ToolClass = "read" | "write";

/** The tool annotations of MCP that the policy reads (any server may send more). */
export type ToolAnnotations = { readOnlyHint?: unknown; destructiveHint?: unknown };

/**
 * A tool is a read only when its server says `readOnlyHint: true` and does not also call it
 * destructive. A tool without annotations, or with contradicting ones, counts as a write: the
 * toolbox fails closed, since a third-party server's silence says nothing about what it changes.
 */
export function classifyTool(annotations: ToolAnnotations | undefined): ToolClass {
  return annotations?.readOnlyHint === true && annotations.destructiveHint !== true ? "read" : "write";
}

export type Offer = { offered: true } | { offered: false; reason: "read_only_agent" | "not_allowlisted"; message: string };

/**
 * Whether an agent is offered a tool: Jamie gets reads only, Scarlet reads and writes; an
 * allowlist for the agent on the tool's server narrows either further.
 */
export function offerTool(agent: Agent, tool: { server: string; name: string; class: ToolClass }, allow: readonly string[] | undefined): Offer {
  if (agent === "jamie" && tool.class === "write") {
    return { offered: false, reason: "read_only_agent", message: `${tool.server}/${tool.name} can change things; jamie has read tools only` };
  }
  if (allow !== undefined && !allow.includes(tool.name)) {
    return { offered: false, reason: "not_allowlisted", message: `${tool.server}/${tool.name} is not on ${agent}'s allowlist for ${tool.server}` };
  }
  return { offered: true };
}
