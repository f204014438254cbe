import type { Action } from "@autodevops/shared";
import { PolicyContext } from "../policy/policy-inputs.js";
import type { GraphDeps } from "./deps.js";

/** The longest window any limit looks back over, so one query serves them all. */
const historySeconds = (deps: GraphDeps) => {
  const { rateLimits, fixBudget } = deps.policy.settings;
  return Math.max(rateLimits.perTarget.windowSeconds, rateLimits.global.windowSeconds, fixBudget.windowSeconds);
};

/** The policy inputs for one action, read fresh: annotations and facts from the watch, history from Postgres. */
export async function policyContextFor(deps: GraphDeps, action: Action): Promise<PolicyContext> {
  const isNode = action.kind === "cordon-node" || action.kind === "drain-node";
  const ann = deps.live.annotations(action.cluster, action.namespace, isNode ? { node: action.target } : { workload: action.target });
  const history = await deps.actions.recent(historySeconds(deps), deps.now());
  const facts = deps.live.targetFacts(action);
  return PolicyContext.parse({
    settings: deps.policy.settings,
    namespaceAnnotations: ann.namespace,
    targetAnnotations: ann.target,
    ...(facts ? { facts } : {}),
    history: history.map(({ incidentId: _i, undo: _u, detail: _d, ...a }) => a),
  });
}
