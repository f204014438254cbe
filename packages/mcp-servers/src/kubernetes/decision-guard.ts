import type { KeyObject } from "node:crypto";
import { createPublicKey } from "node:crypto";
import { DecisionLedger, verifyDecision, type Action } from "@autodevops/shared";
import { ToolError } from "../core/tool-error.js";

/**
 * The gate every non-dry-run write passes: a decision token signed by Scarlet's policy layer for
 * exactly this action, unexpired and not used before. Without a policy key nothing is allowed.
 */
export class DecisionGuard {
  readonly #key: KeyObject | undefined;
  readonly #ledger = new DecisionLedger();
  readonly #now: () => Date;

  constructor(opts: { publicKeyPem: string | undefined; now?: () => Date }) {
    this.#key = opts.publicKeyPem === undefined ? undefined : createPublicKey(opts.publicKeyPem);
    this.#now = opts.now ?? (() => new Date());
  }

  /** Throws a ToolError saying why when `token` does not allow `action`; marks it used otherwise. */
  admit(token: string | undefined, action: Action): void {
    const refused = (why: string) => new ToolError(`refused: ${why}; nothing was changed`);
    if (!this.#key) throw refused("this server has no POLICY_PUBLIC_KEY, so it takes no writes (dryRun: true still previews a change)");
    if (token === undefined || token.trim() === "") {
      throw refused(`missing decision: a ${action.kind} needs a decision token from the policy layer for exactly this action (or pass dryRun: true to preview it)`);
    }
    const now = this.#now();
    const verdict = verifyDecision(token.trim(), this.#key, action, { now });
    if (!verdict.ok) throw refused(`${verdict.error.code.replace(/_/g, " ")} decision: ${verdict.error.message}`);
    if (!this.#ledger.use(verdict.value, now)) throw refused(`replayed decision: decision ${verdict.value.id} was already used`);
  }
}
