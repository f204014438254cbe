import type { OutcomeStore } from "../store/outcome-store.js";

/** How far back outcomes count. */
export const LEARNING_WINDOW_MS = 24 * 3600_000;
/** Successes assumed before any outcome is known, so one failure weighs but does not end all trust. */
const PRIOR_SUCCESSES = 2;

/** The thing a playbook learns about: a fault kind on one target. */
export const signatureOf = (d: { kind: string; cluster: string; namespace: string; workload?: string; node?: string }): string =>
  `${d.kind}:${d.cluster}/${d.namespace}/${d.workload ?? d.node ?? "-"}`;

/**
 * The learned success rate of a playbook for a signature: 1 with no history, lower after fixes
 * that failed or did not hold (the same leak restarted again and again), never above 1. A rate
 * below 1 takes a fix under the matrix's auto threshold: it then needs a human.
 */
export async function learnedRate(store: OutcomeStore, playbook: string, signature: string, now: Date): Promise<{ rate: number; succeeded: number; failed: number; recurred: number }> {
  const t = await store.tally(playbook, signature, LEARNING_WINDOW_MS, now);
  // A recurrence weighs double: the fix held only for a while, and the next one will not hold either.
  const rate = (t.succeeded + PRIOR_SUCCESSES) / (t.succeeded + t.failed + 2 * t.recurred + PRIOR_SUCCESSES);
  return { rate: Math.min(1, rate), ...t };
}
