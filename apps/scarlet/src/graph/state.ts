import { Annotation } from "@langchain/langgraph";
import type { Action, Risk } from "@autodevops/shared";
import type { Judgement } from "../policy/guardrails.js";
import type { Diagnosis, Plan } from "../playbooks/types.js";

/** Where a run stopped without settling the incident: the runner starts it again later. */
export type Pause = "symptom" | "closed" | "undiagnosed" | "deferred";

/** What the verify step saw. */
export interface Verification {
  healthy: boolean;
  /** The target is worse than before the action: undo. */
  worse: boolean;
  /** Someone changed the target after the action (a new rollout): what happens next is not the action's doing. */
  superseded?: boolean;
  detail: string;
}

/** The result of carrying out one action. */
export interface Execution {
  actionId: string;
  action: Action;
  ok: boolean;
  detail: string;
  /** How to take it back, when it can be. */
  undo: Action | null;
  /** Ready replicas before the action, to judge "worse". */
  readyBefore?: number;
  /** The workload's revision and uid before the action, to tell its own rollout from someone else's. */
  revisionBefore?: number;
  uidBefore?: string;
}

const last = <T>(initial: T) => Annotation<T>({ reducer: (_old, next) => next, default: () => initial });

/**
 * One incident's run through the graph (one thread per incident id). Only data goes in here:
 * the checkpointer stores it in Postgres, so a restarted process resumes where this one stood.
 */
export const ScarletState = Annotation.Root({
  incidentId: Annotation<string>(),
  /** How many decide cycles ran: names each cycle's approval and action. */
  attempt: last<number>(0),
  pause: last<Pause | null>(null),
  diagnosis: last<Diagnosis | null>(null),
  plan: last<Plan | null>(null),
  /** Evidence match times the learned success rate. */
  confidence: last<number>(0),
  learnedRate: last<number>(1),
  judgement: last<Judgement | null>(null),
  approvalId: last<string | null>(null),
  /** `pending` after a resume that came before any decision: the run goes back to waiting. */
  approvalStatus: last<"approved" | "rejected" | "expired" | "pending" | null>(null),
  execution: last<Execution | null>(null),
  verification: last<Verification | null>(null),
  undone: last<Execution | null>(null),
  /** Why the incident goes to people, in words (escalate writes the summary from it). */
  escalation: last<{ why: string; nextStep: string; risk?: Risk } | null>(null),
  outcome: last<"resolved" | "escalated" | "failed" | "nothing-broken" | null>(null),
  /** A change a person asked for (through Jamie): its diagnosis and plan come with it, and no playbook learns from it. */
  request: last<{ requestedBy: string; reason: string } | null>(null),
});
export type ScarletStateType = typeof ScarletState.State;
export type ScarletUpdate = typeof ScarletState.Update;
