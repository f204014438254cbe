import type { Decision } from "@autodevops/shared";
import { viewHistory } from "./action-history.js";
import { blastRadius } from "./blast-radius.js";
import { readConfidence, routeByMatrix, type MatrixRoute } from "./decision-matrix.js";
import { readAnnotations, type PolicyContext, type PolicyPlan } from "./policy-inputs.js";

/** Which rule decided or narrowed the route; audited with the reasons. */
export type LimitHit =
  | "nothing-broken"
  | "no-candidate"
  | "malformed-annotation"
  | "autonomy-off"
  | "maintenance"
  | "frozen"
  | "matrix"
  | "protected-namespace"
  | "autonomy-approval"
  | "target-busy"
  | "max-concurrent"
  | "rate-limit-target"
  | "rate-limit-global"
  | "fix-budget"
  | "blast-radius"
  | "blast-radius-unknown"
  | "dry-run";

/** The judge's answer: a `Decision` of CONTRACTS.md section 5 plus what the caller needs to carry it out. */
export interface Judgement extends Decision {
  /** Decided as usual, but nothing may be executed. */
  dryRun: boolean;
  limitsHit: LimitHit[];
  /** Escalated only because the target or Scarlet is busy: the caller may judge again once it is not. */
  retryable: boolean;
  /** For route `approval`: when the request lapses. */
  approvalExpiresAt?: string;
}

/** Escalations that lapse on their own once the running actions finish. */
const TRANSIENT: ReadonlySet<LimitHit> = new Set(["target-busy", "max-concurrent"]);
const ORDER: Record<MatrixRoute, number> = { auto: 0, approval: 1, escalate: 2 };

/**
 * Judges a plan against the policy inputs at `now`. The first rules end the judgement (nothing
 * broken, no candidate, autonomy off, maintenance, freeze); after the matrix, every rule can only
 * narrow the route (auto -> approval -> escalate), never widen it, and each adds its reason.
 */
export function judge(plan: PolicyPlan, ctx: PolicyContext, now: Date): Judgement {
  const { settings } = ctx;
  const reasons: string[] = [];
  const limitsHit: LimitHit[] = [];
  const confidence = readConfidence(plan.confidence);
  const base = { confidence, risk: plan.risk, dryRun: settings.dryRun, retryable: false };
  const end = (route: "escalate" | "none", hit: LimitHit, reason: string): Judgement => ({
    ...base,
    route,
    action: route === "none" ? null : plan.action,
    reasons: [...reasons, reason],
    limitsHit: [...limitsHit, hit],
  });

  if (!plan.broken) return end("none", "nothing-broken", `nothing is broken (${plan.faultKind}): no action`);
  const action = plan.action;
  if (!action) return end("escalate", "no-candidate", `no action of the vocabulary cures ${plan.faultKind}: escalate with the evidence`);

  const isNode = action.kind === "cordon-node" || action.kind === "drain-node";
  const annotations = readAnnotations(
    [
      { label: `namespace ${action.namespace}`, annotations: isNode ? {} : ctx.namespaceAnnotations },
      { label: `${isNode ? "node" : "workload"} ${action.target}`, annotations: ctx.targetAnnotations },
    ],
    settings.defaultAutonomy,
  );
  if (annotations.notes.length > 0) {
    reasons.push(...annotations.notes);
    limitsHit.push("malformed-annotation");
  }
  if (annotations.autonomy === "off") return end("escalate", "autonomy-off", "autonomy is off: observe and escalate only");
  if (annotations.maintenance !== undefined) {
    return end("none", "maintenance", `under maintenance (${annotations.maintenance}): nothing is changed in answer to it`);
  }
  const frozenUntil = annotations.frozenUntilMs;
  if (frozenUntil !== undefined && frozenUntil > now.getTime()) {
    const until = Number.isFinite(frozenUntil) ? new Date(frozenUntil).toISOString() : "an unreadable time";
    return end("escalate", "frozen", `frozen until ${until}: no change, escalate instead`);
  }

  const matrix = routeByMatrix(action, plan.risk, plan.confidence);
  let route: MatrixRoute = matrix.route;
  reasons.push(...matrix.reasons);
  const escalatedBy: LimitHit[] = route === "escalate" ? ["matrix"] : [];
  const narrow = (to: MatrixRoute, hit: LimitHit, reason: string) => {
    reasons.push(reason);
    limitsHit.push(hit);
    if (to === "escalate") escalatedBy.push(hit);
    if (ORDER[to] > ORDER[route]) route = to;
  };

  const protectedNs = new Set(settings.protectedNamespaces);
  if (protectedNs.has(action.namespace)) narrow("approval", "protected-namespace", `namespace ${action.namespace} is protected: never acted on without approval`);
  if (action.kind === "drain-node" && ctx.facts?.kind === "node") {
    const hit = ctx.facts.workloads.find((w) => protectedNs.has(w.namespace) && w.readyOnNode > 0);
    if (hit) narrow("approval", "protected-namespace", `the drain evicts pods of protected namespace ${hit.namespace}`);
  }
  if (annotations.autonomy === "approval") narrow("approval", "autonomy-approval", "autonomy is approval: every action waits for a human");

  const h = viewHistory(ctx.history, action, settings, now, plan.actionId);
  const { rateLimits, fixBudget } = settings;
  if (h.inFlightOnTarget > 0) narrow("escalate", "target-busy", `${h.inFlightOnTarget} action(s) already in flight on ${action.target}: one at a time`);
  if (h.inFlightTotal >= rateLimits.maxConcurrent) narrow("escalate", "max-concurrent", `${h.inFlightTotal} actions in flight, the most at once is ${rateLimits.maxConcurrent}`);
  if (h.onTarget >= rateLimits.perTarget.max) {
    narrow("escalate", "rate-limit-target", `${h.onTarget} actions on ${action.target} in ${rateLimits.perTarget.windowSeconds} s, the limit is ${rateLimits.perTarget.max}`);
  }
  if (h.global >= rateLimits.global.max) narrow("escalate", "rate-limit-global", `${h.global} actions in ${rateLimits.global.windowSeconds} s, the global limit is ${rateLimits.global.max}`);
  if (h.sameFix >= fixBudget.max) {
    narrow("escalate", "fix-budget", `the same fix ran ${h.sameFix} times on ${action.target} in ${fixBudget.windowSeconds} s and did not hold: escalate`);
  }

  const blast = blastRadius(action, ctx.facts);
  const { maxAutoShare, maxApprovalShare } = settings.blastRadius;
  if (!blast.known) narrow("approval", "blast-radius-unknown", `blast radius unknown (${blast.detail}): ask a human`);
  else if (blast.share > maxApprovalShare) narrow("escalate", "blast-radius", `disrupts ${blast.detail}, above ${maxApprovalShare * 100} %`);
  else if (blast.share > maxAutoShare) narrow("approval", "blast-radius", `disrupts ${blast.detail}, above ${maxAutoShare * 100} % for acting alone`);

  if (settings.dryRun) {
    reasons.push(`dry-run mode: route ${route} kept, nothing is executed`);
    limitsHit.push("dry-run");
  }
  const expires = route === "approval" ? { approvalExpiresAt: new Date(now.getTime() + settings.approvalTtlSeconds * 1000).toISOString() } : {};
  return {
    ...base,
    ...expires,
    route,
    action,
    risk: matrix.risk,
    reasons,
    limitsHit,
    retryable: route === "escalate" && escalatedBy.length > 0 && escalatedBy.every((x) => TRANSIENT.has(x)),
  };
}
