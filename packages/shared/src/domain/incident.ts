import { z } from "zod";
import type {
  ActionKind} from "./vocabulary.js";
import {
  ActionStatus,
  IncidentStatus,
  K8sName,
  Risk,
  RootCauseKind,
  Route,
  Severity,
  SignalSource,
  Timestamp,
} from "./vocabulary.js";

const Quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, "expected a Kubernetes quantity such as 512Mi or 250m");

/** Parameters each action kind takes; an action with parameters of another kind is refused. */
export const ActionParams = {
  "delete-pod": z.strictObject({ pod: K8sName }),
  "rollout-restart": z.strictObject({ workloadKind: z.enum(["Deployment", "StatefulSet", "DaemonSet"]).default("Deployment") }),
  rollback: z.strictObject({ toRevision: z.number().int().positive().optional() }),
  scale: z.strictObject({
    replicas: z.number().int().min(0).max(1000),
    from: z.number().int().min(0).optional(),
    workloadKind: z.enum(["Deployment", "StatefulSet"]).default("Deployment"),
  }),
  "set-resources": z
    .strictObject({
      container: K8sName.optional(),
      requests: z.strictObject({ cpu: Quantity.optional(), memory: Quantity.optional() }).optional(),
      limits: z.strictObject({ cpu: Quantity.optional(), memory: Quantity.optional() }).optional(),
    })
    .refine((p) => p.requests !== undefined || p.limits !== undefined, "expected requests or limits to change"),
  "cordon-node": z.strictObject({}),
  "drain-node": z.strictObject({ gracePeriodSeconds: z.number().int().min(0).max(3600).optional() }),
} satisfies Record<ActionKind, z.ZodType>;

const actionOf = <K extends ActionKind>(kind: K) =>
  z.strictObject({
    kind: z.literal(kind),
    cluster: z.string().min(1),
    /** Empty for node actions, which have no namespace. */
    namespace: z.string(),
    /** A workload name, or a node name for node actions. */
    target: K8sName,
    params: ActionParams[kind],
  });

/** One change Scarlet may make, in the fixed vocabulary of CONTRACTS.md section 5. */
export const Action = z.discriminatedUnion("kind", [
  actionOf("delete-pod"),
  actionOf("rollout-restart"),
  actionOf("rollback"),
  actionOf("scale"),
  actionOf("set-resources"),
  actionOf("cordon-node"),
  actionOf("drain-node"),
]);
export type Action = z.infer<typeof Action>;

/** An action as an incident records it: with its own id, status and who asked for it. */
export const IncidentAction = z.intersection(
  Action,
  z.object({
    id: z.string().min(1),
    status: ActionStatus,
    requestedAt: Timestamp,
    executedAt: Timestamp.optional(),
    by: z.string().min(1),
  }),
);
export type IncidentAction = z.infer<typeof IncidentAction>;

export const Signal = z.object({ source: SignalSource, name: z.string().min(1), at: Timestamp });
export type Signal = z.infer<typeof Signal>;

export const RootCause = z.object({
  kind: RootCauseKind,
  cluster: z.string().min(1),
  namespace: z.string(),
  workload: z.string().optional(),
  node: z.string().optional(),
  summary: z.string().min(1),
  evidence: z.array(z.string()),
});
export type RootCause = z.infer<typeof RootCause>;

/** What the policy layer concluded, and why. */
export const Decision = z.object({
  route: Route,
  action: Action.nullable(),
  confidence: z.number().min(0).max(1),
  risk: Risk,
  reasons: z.array(z.string()),
});
export type Decision = z.infer<typeof Decision>;

export const Incident = z.object({
  id: z.string().min(1),
  fingerprint: z.string().min(1),
  cluster: z.string().min(1),
  namespace: z.string(),
  workload: z.string().optional(),
  node: z.string().optional(),
  title: z.string().min(1),
  severity: Severity,
  status: IncidentStatus,
  signals: z.array(Signal),
  rootCause: RootCause.nullable(),
  decision: Decision.nullable(),
  actions: z.array(IncidentAction),
  openedAt: Timestamp,
  updatedAt: Timestamp,
  resolvedAt: Timestamp.optional(),
  /** Set while another incident's root cause explains this one: it is that incident's symptom, never acted on. */
  symptomOf: z.string().min(1).optional(),
});
export type Incident = z.infer<typeof Incident>;
