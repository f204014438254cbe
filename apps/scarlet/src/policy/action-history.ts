import type { Action, ActionKind, ActionStatus, IncidentAction } from "@autodevops/shared";
import { targetRef } from "@autodevops/shared";
import type { PolicySettings } from "./policy-inputs.js";

/**
 * The pure view of recent actions that the guardrails need: what is running now, and how many
 * actions ran per target, globally and per fix within each window.
 */

/** About to run or running: the target is busy. */
const IN_FLIGHT: ReadonlySet<ActionStatus> = new Set(["approved", "executing"]);
/** Actions that changed (or were about to change) something count against the limits; proposals and refusals do not. */
const COUNTED: ReadonlySet<ActionStatus> = new Set(["approved", "executing", "succeeded", "failed"]);

/** The canonical key of an action's target: cluster/namespace/name (the audit log's `targetRef`). */
export const targetKey = (a: Pick<Action, "cluster" | "namespace" | "target">): string =>
  targetRef({ cluster: a.cluster, namespace: a.namespace, name: a.target });

/**
 * Fixes that count as the same fix for the budget. Deleting a pod and restarting the rollout
 * both restart; alternating them must not reset the count of a leak restarted again and again.
 */
export function fixFamily(kind: ActionKind): string {
  return kind === "delete-pod" || kind === "rollout-restart" ? "restart" : kind;
}

/** Counts for one candidate action. */
export interface HistoryView {
  /** Actions on the same target that are approved or executing. */
  inFlightOnTarget: number;
  /** Actions approved or executing anywhere. */
  inFlightTotal: number;
  /** Actions on the same target within the per-target window. */
  onTarget: number;
  /** Actions anywhere within the global window. */
  global: number;
  /** Actions of the same fix family on the same target within the fix-budget window. */
  sameFix: number;
}

/** Builds the view for `action` from past action records; `ownId` (this action's own record, if any) is not counted. */
export function viewHistory(records: readonly IncidentAction[], action: Action, settings: PolicySettings, now: Date, ownId?: string): HistoryView {
  const key = targetKey(action);
  const family = fixFamily(action.kind);
  const nowMs = now.getTime();
  // Records dated in the future (clock skew) are counted as recent, never dropped.
  const within = (r: IncidentAction, seconds: number) => nowMs - Date.parse(r.executedAt ?? r.requestedAt) < seconds * 1000;
  const view: HistoryView = { inFlightOnTarget: 0, inFlightTotal: 0, onTarget: 0, global: 0, sameFix: 0 };
  for (const r of records) {
    if (ownId !== undefined && r.id === ownId) continue;
    const sameTarget = targetKey(r) === key;
    if (IN_FLIGHT.has(r.status)) {
      view.inFlightTotal += 1;
      if (sameTarget) view.inFlightOnTarget += 1;
    }
    if (!COUNTED.has(r.status)) continue;
    if (within(r, settings.rateLimits.global.windowSeconds)) view.global += 1;
    if (sameTarget && within(r, settings.rateLimits.perTarget.windowSeconds)) view.onTarget += 1;
    if (sameTarget && fixFamily(r.kind) === family && within(r, settings.fixBudget.windowSeconds)) view.sameFix += 1;
  }
  return view;
}
