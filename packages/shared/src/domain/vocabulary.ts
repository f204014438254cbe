import { z } from "zod";

/** The fault kinds of CONTRACTS.md section 3; `rootCause.kind` and findings use them. */
export const FAULT_KINDS = [
  "crashloop",
  "bad-rollout",
  "image-pull",
  "oom",
  "memory-leak",
  "traffic-spike",
  "config-error",
  "unschedulable",
  "node-not-ready",
  "dependency-down",
  "slow-dependency",
  "probe-failure",
  "disk-pressure",
  "flapping",
  "hung-replica",
  "scaled-to-zero",
  "network-policy-block",
  "quota-exceeded",
  "noisy-neighbour",
  "rogue-pod",
  "noise",
] as const;
export const FaultKind = z.enum(FAULT_KINDS);
export type FaultKind = z.infer<typeof FaultKind>;

/** A root cause or finding may be of a kind no playbook knows. */
export const RootCauseKind = z.enum([...FAULT_KINDS, "unknown"]);
export type RootCauseKind = z.infer<typeof RootCauseKind>;

/** The fixed action vocabulary: nothing Scarlet reads can add to it. */
export const ACTION_KINDS = [
  "delete-pod",
  "rollout-restart",
  "rollback",
  "scale",
  "set-resources",
  "cordon-node",
  "drain-node",
] as const;
export const ActionKind = z.enum(ACTION_KINDS);
export type ActionKind = z.infer<typeof ActionKind>;

export const Severity = z.enum(["warning", "critical"]);
export type Severity = z.infer<typeof Severity>;

export const SignalSource = z.enum(["alertmanager", "watch", "prometheus", "logs", "traces"]);
export type SignalSource = z.infer<typeof SignalSource>;

export const IncidentStatus = z.enum([
  "open",
  "awaiting_approval",
  "acting",
  "verifying",
  "resolved",
  "escalated",
  "failed",
]);
export type IncidentStatus = z.infer<typeof IncidentStatus>;

export const Route = z.enum(["auto", "approval", "escalate", "none"]);
export type Route = z.infer<typeof Route>;

export const Risk = z.enum(["low", "medium", "high"]);
export type Risk = z.infer<typeof Risk>;

export const ActionStatus = z.enum(["proposed", "approved", "rejected", "executing", "succeeded", "failed", "skipped"]);
export type ActionStatus = z.infer<typeof ActionStatus>;

export const ApprovalStatus = z.enum(["pending", "approved", "rejected", "expired"]);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

export const ApprovalDecisionValue = z.enum(["approve", "reject"]);
export type ApprovalDecisionValue = z.infer<typeof ApprovalDecisionValue>;

/** RFC 3339 timestamps with an offset, as every API of the product writes them. */
export const Timestamp = z.iso.datetime({ offset: true });

/** Kubernetes object names (DNS-1123 subdomain). */
export const K8sName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "expected a Kubernetes name (lower-case letters, digits, '-' and '.')");
