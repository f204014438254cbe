import { DynamicStructuredTool } from "@langchain/core/tools";
import type { McpToolbox, ToolInfo } from "./toolbox.js";

/** The input schema an LLM sees: the tool's own, without `decision` (a model can never supply one). */
export function llmInputSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(schema);
  const properties = copy.properties as Record<string, unknown> | undefined;
  if (properties) delete properties.decision;
  if (Array.isArray(copy.required)) copy.required = copy.required.filter((r) => r !== "decision");
  return copy;
}

function describe(t: ToolInfo): string {
  if (t.class === "read") return t.description;
  return `${t.description}\n(Changes the system: it runs only with a decision from the policy layer, which a model cannot give; dryRun: true previews the change where the tool supports it.)`;
}

/**
 * The toolbox's tools as LangChain tools for an LLM agent (`createAgent({ model, tools })`):
 * only the tools the agent is offered, named `server__tool`, each call going through the
 * toolbox's policy, cache and audit. No call from here carries a decision: a `decision` the model
 * writes into the arguments is dropped. A refusal or a tool's error comes back as the tool's
 * error, so the model reads what went wrong.
 */
export function toLangChainTools(toolbox: Pick<McpToolbox, "listTools" | "call">): DynamicStructuredTool[] {
  return toolbox.listTools().map(
    (t) =>
      new DynamicStructuredTool({
        name: t.name,
        description: describe(t),
        schema: llmInputSchema(t.inputSchema),
        responseFormat: "content_and_artifact",
        metadata: { server: t.server, tool: t.tool, class: t.class },
        func: async (input: Record<string, unknown>, _runManager, config) => {
          const { decision: _dropped, ...args } = input ?? {};
          const r = await toolbox.call(t.name, args, config?.signal ? { signal: config.signal } : {});
          if (!r.ok) throw new Error(r.error.message);
          return [r.value.text, r.value.structuredContent ?? null];
        },
      }),
  );
}
