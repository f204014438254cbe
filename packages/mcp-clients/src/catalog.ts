import { err, ok, type Result } from "@autodevops/shared";
import type { ServerSettings } from "./config/servers-config.js";
import type { DiscoveredTool } from "./connection/server-connection.js";
import { classifyTool, offerTool, type Agent, type Offer, type ToolAnnotations, type ToolClass } from "./policy/tool-policy.js";

/** One tool of one server, as the toolbox knows it: its class and whether this agent is offered it. */
export type CatalogEntry = {
  /** `server__tool`: unique across servers, and a valid LLM tool name. */
  name: string;
  server: string;
  tool: string;
  class: ToolClass;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations: ToolAnnotations | undefined;
  offer: Offer;
};

export const qualifiedName = (server: string, tool: string) => `${server}__${tool}`;

/** Every discovered tool, classified and judged for the agent (refused ones too, to say why). */
export function buildCatalog(agent: Agent, discovered: Record<string, DiscoveredTool[]>, settings: Record<string, ServerSettings>): Map<string, CatalogEntry> {
  const catalog = new Map<string, CatalogEntry>();
  for (const [server, tools] of Object.entries(discovered)) {
    for (const t of tools) {
      const klass = classifyTool(t.annotations);
      const name = qualifiedName(server, t.name);
      catalog.set(name, {
        name,
        server,
        tool: t.name,
        class: klass,
        description: t.description,
        inputSchema: t.inputSchema,
        annotations: t.annotations,
        offer: offerTool(agent, { server, name: t.name, class: klass }, settings[server]?.allow?.[agent]),
      });
    }
  }
  return catalog;
}

/** A tool by its qualified name, or by its bare name when exactly one server has it. */
export function resolveTool(catalog: ReadonlyMap<string, CatalogEntry>, name: string): Result<CatalogEntry, string> {
  const exact = catalog.get(name);
  if (exact) return ok(exact);
  const bare = [...catalog.values()].filter((e) => e.tool === name);
  if (bare.length === 1 && bare[0]) return ok(bare[0]);
  if (bare.length > 1) return err(`${name} is ambiguous: say which server's, one of ${bare.map((e) => e.name).join(", ")}`);
  return err(`no tool ${name} on any connected MCP server`);
}
