import type { KeyObject } from "node:crypto";
import { Action, ActionKind, type DecisionClaims, type DecisionRejection, type Result, err, ok, verifyDecision } from "@autodevops/shared";

export type WriteRefusal = {
  reason: "no_decision" | "not_an_action" | "no_policy_key" | DecisionRejection["code"];
  message: string;
};

/** A write may go ahead: as a dry run (no decision needed) or with its verified decision. */
export type WritePermit = { dryRun: true } | { dryRun: false; claims: DecisionClaims; token: string };

/**
 * The action a write tool's call describes. Our kubernetes write tools take
 * `{cluster, namespace, target, params, dryRun?, decision?}` and are named after the action kind
 * with `_` for `-` (`rollout_restart` is `rollout-restart`); a write tool that does not describe an
 * action of the vocabulary cannot be covered by any decision.
 */
export function actionOfCall(toolName: string, args: Record<string, unknown>): Result<Action, string> {
  const kind = ActionKind.safeParse(toolName.replaceAll("_", "-"));
  if (!kind.success) return err(`${toolName} is not an action of the policy vocabulary, so no decision can allow it`);
  const parsed = Action.safeParse({
    kind: kind.data,
    cluster: args.cluster,
    // Node actions have no namespace; the decision then names "".
    namespace: args.namespace ?? "",
    target: args.target,
    params: args.params ?? {},
  });
  if (!parsed.success) return err(`the arguments of ${toolName} do not describe a ${kind.data} action: ${parsed.error.issues.map((i) => `${i.path.join(".") || "action"}: ${i.message}`).join("; ")}`);
  return ok(parsed.data);
}

/**
 * Checks a write before it leaves the process: a dry run on a server that honours `dryRun` (our
 * own) needs nothing; anything else needs a decision token signed by the policy layer for exactly
 * the action the call describes. A third-party server's `dryRun` is not trusted: it may ignore the
 * flag and act. Pure: the clock and key arrive as arguments; single use is the caller's part.
 */
export function checkWrite(input: {
  toolName: string;
  args: Record<string, unknown>;
  decision: string | undefined;
  publicKey: string | KeyObject | undefined;
  /** The server checks decisions itself and changes nothing on `dryRun: true`. */
  serverHonoursDryRun: boolean;
  now: Date;
}): Result<WritePermit, WriteRefusal> {
  if (input.args.dryRun === true && input.serverHonoursDryRun) return ok({ dryRun: true });
  if (input.decision === undefined || input.decision === "") {
    return err({ reason: "no_decision", message: `refused: ${input.toolName} changes the cluster and needs a policy decision (or dryRun: true to preview)` });
  }
  if (input.publicKey === undefined) return err({ reason: "no_policy_key", message: `refused: ${input.toolName} needs a decision, and this toolbox has no policy key to check one` });
  const action = actionOfCall(input.toolName, input.args);
  if (!action.ok) return err({ reason: "not_an_action", message: `refused: ${action.error}` });
  const verified = verifyDecision(input.decision, input.publicKey, action.value, { now: input.now });
  if (!verified.ok) return err({ reason: verified.error.code, message: `refused: ${verified.error.message}` });
  return ok({ dryRun: false, claims: verified.value, token: input.decision });
}
