import type pg from "pg";
import type { Action, ActionStatus } from "@autodevops/shared";
import { ActionStore } from "../store/action-store.js";

/** Thrown into a graph run that was about to act on a cluster this replica no longer leads. */
export class NotLeadingError extends Error {
  constructor(readonly cluster: string, readonly actionId: string) {
    super(`not the leader of cluster ${cluster}: action ${actionId} left for the leader`);
    this.name = "NotLeadingError";
  }
}

/**
 * The action store with leadership checked at the last moment: the move to `executing` (the
 * compare-and-set that lets exactly one run execute an action) first asks whether this replica
 * still leads the action's cluster, and throws when it does not. The throw fails the graph's act
 * step without a checkpoint, so the thread stays before `act` and the leader's run executes it.
 */
export class LeaderGuardedActionStore extends ActionStore {
  constructor(
    pool: pg.Pool,
    private readonly leads: (cluster: string) => boolean,
  ) {
    super(pool);
  }

  override async transition(id: string, from: readonly ActionStatus[], to: ActionStatus, extra: { by?: string; executedAt?: Date; undo?: Action | null; detail?: string } = {}): Promise<boolean> {
    if (to === "executing") {
      const record = await this.get(id);
      if (record && !this.leads(record.cluster)) throw new NotLeadingError(record.cluster, id);
    }
    return super.transition(id, from, to, extra);
  }
}
