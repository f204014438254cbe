import { z } from "zod";
import { Action, K8sName, type ActionKind } from "@autodevops/shared";
import { defineTool } from "../../core/define-tool.js";
import { ToolError } from "../../core/tool-error.js";
import type { ClusterClients, ClusterSet } from "../clusters.js";
import type { DecisionGuard } from "../decision-guard.js";
import { clusterArg } from "../inputs.js";

/** Deps of the write tools: the clusters, the decision gate, and the clock. */
export type WriteDeps = { clusters: ClusterSet; guard: DecisionGuard; now: () => Date };

export const Eviction = z.object({
  pod: z.string(),
  namespace: z.string(),
  outcome: z.enum(["evicted", "would-evict", "refused", "gone", "failed"]).describe("refused: a PodDisruptionBudget (HTTP 429) did not allow it now"),
  message: z.string().optional(),
});
export type Eviction = z.infer<typeof Eviction>;

export const WriteResult = z.object({
  action: z.object({ kind: z.string(), cluster: z.string(), namespace: z.string(), target: z.string(), params: z.record(z.string(), z.unknown()) }),
  dryRun: z.boolean(),
  changed: z.boolean().describe("Whether the cluster was (dry run: would be) changed"),
  diff: z.string().describe("Unified diff of the object's YAML before and after (status left out); empty when nothing changes"),
  state: z.record(z.string(), z.unknown()).describe("The resulting state (dry run: the state now)"),
  evictions: z.array(Eviction).optional(),
  notes: z.array(z.string()),
});
export type WriteResult = z.infer<typeof WriteResult>;

/** What one write produced; the wrapper adds the action and dryRun. */
export type Outcome = Pick<WriteResult, "changed" | "diff" | "state" | "notes"> & { evictions?: Eviction[] };

export type WriteCall<P> = { c: ClusterClients; namespace: string; target: string; params: P; dryRun: boolean; now: Date };

type WriteDef<P extends z.ZodType> = {
  kind: ActionKind;
  title: string;
  description: string;
  params: P;
  /** What `target` names for this kind. */
  target: string;
  /** Node actions have no namespace. */
  nodeAction?: boolean;
  idempotent?: boolean;
  perform(call: WriteCall<z.output<P>>): Promise<Outcome>;
};

/**
 * One write tool per action kind: its input mirrors the shared Action (cluster, namespace, target,
 * params) plus dryRun and decision. A dry run previews through the API's server-side dry run and
 * needs no decision; anything else runs only when the DecisionGuard admits the decision for
 * exactly this action, and before any call that could change the cluster.
 */
export function writeTool<P extends z.ZodType>(def: WriteDef<P>, deps: WriteDeps) {
  const namespace = def.nodeAction
    ? z.literal("").default("").describe('Nodes have no namespace: "" (or omit)')
    : K8sName.describe('Namespace of the target, e.g. "shop"');
  return defineTool({
    name: def.kind.replace(/-/g, "_"),
    title: def.title,
    description: `${def.description} Destructive: without dryRun it needs \`decision\`, a policy decision token signed for exactly this action (kind ${def.kind}, cluster, namespace, target, params). dryRun: true returns the exact change as a diff and changes nothing.`,
    input: z.object({
      cluster: clusterArg,
      namespace,
      target: K8sName.describe(def.target),
      params: def.params.describe(`Parameters of ${def.kind}`),
      dryRun: z.boolean().default(false).describe("Preview only: compute the change with the API's server-side dry run and return its diff; nothing changes, no decision needed"),
      decision: z.string().min(1).max(8192).optional().describe("The policy decision token allowing this exact action (required unless dryRun)"),
    }),
    output: WriteResult,
    kind: "write",
    idempotent: def.idempotent ?? false,
    timeoutMs: 60_000,
    run: async (args) => {
      // zod cannot resolve a generic schema's key in the inferred object type; the input schema puts it there.
      const params = (args as unknown as { params: z.output<P> }).params;
      const parsed = Action.safeParse({ kind: def.kind, cluster: args.cluster, namespace: args.namespace, target: args.target, params });
      if (!parsed.success) throw new ToolError(`not a valid ${def.kind} action: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      const action = parsed.data;
      const c = deps.clusters.get(args.cluster);
      if (!args.dryRun) deps.guard.admit(args.decision, action);
      const outcome = await def.perform({ c, namespace: args.namespace, target: args.target, params, dryRun: args.dryRun, now: deps.now() });
      const verb = args.dryRun ? (outcome.changed ? "would change" : "would change nothing in") : outcome.changed ? "changed" : "changed nothing in";
      return {
        summary: `${def.kind} ${args.dryRun ? "(dry run) " : ""}${verb} ${args.cluster}/${args.namespace ? `${args.namespace}/` : ""}${args.target}${outcome.notes.length ? `; ${outcome.notes.join("; ")}` : ""}${outcome.diff ? `\n${outcome.diff}` : ""}`,
        data: { action: { kind: action.kind, cluster: action.cluster, namespace: action.namespace, target: action.target, params: action.params }, dryRun: args.dryRun, ...outcome },
      };
    },
  });
}
