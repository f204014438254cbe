import { z } from "zod";
import { Action, IncidentAction, K8sName, Risk, RootCauseKind, Timestamp } from "@autodevops/shared";

/**
 * What the policy layer reads, and nothing else: the playbook's plan (an action from the fixed
 * vocabulary, its risk, a confidence), the annotations people put on Kubernetes objects, the
 * operator's settings and the record of past actions. No field carries free text read from
 * logs, alerts or a model, so such text cannot reach a rule (CONTRACTS.md section 4).
 */

/** The annotations of CONTRACTS.md section 4. */
export const ANNOTATIONS = {
  autonomy: "autodevops.io/autonomy",
  freezeUntil: "autodevops.io/freeze-until",
  maintenance: "autodevops.io/maintenance",
} as const;

/** How much Scarlet may do on its own: act, ask first, or only observe and escalate. */
export const Autonomy = z.enum(["auto", "approval", "off"]);
export type Autonomy = z.infer<typeof Autonomy>;

/** Never acted on without approval unless the operator configures otherwise. */
export const DEFAULT_PROTECTED_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"] as const;

/** A Kubernetes object's annotations, as read from its metadata. */
export const Annotations = z.record(z.string(), z.string());
export type Annotations = z.infer<typeof Annotations>;

const Window = z.strictObject({ max: z.number().int().min(0), windowSeconds: z.number().int().positive() });

/** The operator's policy settings; every field has a default, so `{}` is a valid configuration. */
export const PolicySettings = z.strictObject({
  /** Decide as usual but execute nothing. */
  dryRun: z.boolean().default(false),
  /** The autonomy of a target that no annotation sets. */
  defaultAutonomy: Autonomy.default("auto"),
  protectedNamespaces: z.array(z.string()).default([...DEFAULT_PROTECTED_NAMESPACES]),
  rateLimits: z
    .strictObject({
      /** Actions on one target (any kind) per window. */
      perTarget: Window.default({ max: 5, windowSeconds: 3600 }),
      /** Actions on all targets per window. */
      global: Window.default({ max: 20, windowSeconds: 600 }),
      /** Actions executing at once, across all targets. */
      maxConcurrent: z.number().int().min(1).default(3),
    })
    .prefault({}),
  /** How often the same fix may run on the same target within the window before it must escalate. */
  fixBudget: Window.default({ max: 3, windowSeconds: 3600 }),
  blastRadius: z
    .strictObject({
      /** The largest share of a workload's replicas one action may take down on its own. */
      maxAutoShare: z.number().min(0).max(1).default(0.5),
      /** Above this share even a human is not asked: escalate. 1 means never for blast radius alone. */
      maxApprovalShare: z.number().min(0).max(1).default(1),
    })
    .prefault({}),
  /** How long an approval request stays open. */
  approvalTtlSeconds: z.number().int().positive().default(900),
});
export type PolicySettings = z.infer<typeof PolicySettings>;

/** What the playbook proposes for an incident; built by the decide node from the playbook's output. */
export const PolicyPlan = z.object({
  incidentId: z.string().min(1),
  faultKind: RootCauseKind,
  /** False when the playbook found nothing broken (flapping, noise): the answer is to do nothing. */
  broken: z.boolean(),
  /** The chosen candidate, or null when no action of the vocabulary cures this. */
  action: Action.nullable(),
  risk: Risk,
  /** Evidence match times learned success rate, 0..1. */
  confidence: z.number(),
  /** The id of this action's own record when the incident already holds one (re-judged after approval): not counted against itself. */
  actionId: z.string().min(1).optional(),
});
export type PolicyPlan = z.infer<typeof PolicyPlan>;

/** The live shape of the action's target, for the blast radius; read from the cluster by the caller. */
export const TargetFacts = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("workload"),
    /** Desired replicas. */
    replicas: z.number().int().min(0),
    /** The pods that are Ready now, by name: deleting a pod that is not Ready disrupts nothing. */
    readyPods: z.array(K8sName),
    /** The rollout's maxUnavailable as a count; absent means Kubernetes' default (25 %, rounded down). */
    maxUnavailable: z.number().int().min(0).optional(),
  }),
  z.strictObject({
    kind: z.literal("node"),
    /** Each workload with Ready pods on the node: how many there, of how many in all. */
    workloads: z.array(
      z.strictObject({ namespace: z.string(), name: K8sName, replicas: z.number().int().min(0), readyOnNode: z.number().int().min(0) }),
    ),
  }),
]);
export type TargetFacts = z.infer<typeof TargetFacts>;

/** Everything but the plan and the clock that the judge reads. */
export const PolicyContext = z.object({
  settings: PolicySettings,
  /** The annotations of the target's namespace (empty for node actions). */
  namespaceAnnotations: Annotations.default({}),
  /** The annotations of the workload (or node) the action targets. */
  targetAnnotations: Annotations.default({}),
  /** Absent when the caller could not read the target: the blast radius is then unknown. */
  facts: TargetFacts.optional(),
  /** Past and current actions of every incident, newest or oldest first. */
  history: z.array(IncidentAction).default([]),
});
export type PolicyContext = z.infer<typeof PolicyContext>;

/** The annotations read the safest way: several sources combine to the strictest reading. */
export interface AnnotationReading {
  autonomy: Autonomy;
  /** When set, no change before this time (epoch ms); `Infinity` for a freeze that cannot be read. */
  frozenUntilMs?: number;
  maintenance?: string;
  /** Why a value was read as it was (malformed values, which object set what). */
  notes: string[];
}

const AUTONOMY_RANK: Record<Autonomy, number> = { auto: 0, approval: 1, off: 2 };
const FreezeTime = Timestamp;

/**
 * Reads the annotations of section 4 from the namespace and the target. A value that cannot be
 * read never widens what Scarlet may do: an unknown autonomy reads as `off`, an unreadable
 * freeze as a freeze without end.
 */
export function readAnnotations(sources: { label: string; annotations: Annotations }[], defaultAutonomy: Autonomy): AnnotationReading {
  const reading: AnnotationReading = { autonomy: defaultAutonomy, notes: [] };
  for (const { label, annotations } of sources) {
    const rawAutonomy = annotations[ANNOTATIONS.autonomy];
    if (rawAutonomy !== undefined) {
      const parsed = Autonomy.safeParse(rawAutonomy.trim().toLowerCase());
      const autonomy: Autonomy = parsed.success ? parsed.data : "off";
      if (!parsed.success) reading.notes.push(`${label} ${ANNOTATIONS.autonomy} is not auto, approval or off: read as off`);
      if (AUTONOMY_RANK[autonomy] > AUTONOMY_RANK[reading.autonomy]) reading.autonomy = autonomy;
    }
    const rawFreeze = annotations[ANNOTATIONS.freezeUntil];
    if (rawFreeze !== undefined) {
      const ok = FreezeTime.safeParse(rawFreeze.trim()).success;
      const until = ok ? Date.parse(rawFreeze.trim()) : Number.POSITIVE_INFINITY;
      if (!ok) reading.notes.push(`${label} ${ANNOTATIONS.freezeUntil} is not an RFC 3339 time: read as frozen until a person fixes it`);
      reading.frozenUntilMs = Math.max(reading.frozenUntilMs ?? Number.NEGATIVE_INFINITY, until);
    }
    const maintenance = annotations[ANNOTATIONS.maintenance];
    if (maintenance !== undefined && reading.maintenance === undefined) {
      // Shown in reasons; cut so that a long annotation cannot flood the audit.
      reading.maintenance = `${label}: ${maintenance.trim().slice(0, 200) || "no reason given"}`;
    }
  }
  return reading;
}
