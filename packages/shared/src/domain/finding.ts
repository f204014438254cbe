import { z } from "zod";
import { RootCauseKind, Severity, SignalSource, Timestamp } from "./vocabulary.js";

/**
 * One observation from one signal (a pod in CrashLoopBackOff, a firing alert, a metric past
 * its threshold). Findings are correlated into incidents; they never act on their own.
 */
export const Finding = z.object({
  id: z.string().min(1),
  source: SignalSource,
  /** The detector's or alert's name, e.g. `KubePodCrashLooping` or `pod.crashloop`. */
  name: z.string().min(1),
  cluster: z.string().min(1),
  namespace: z.string(),
  workload: z.string().optional(),
  pod: z.string().optional(),
  node: z.string().optional(),
  /** What the detector believes this is; `unknown` when it cannot tell. */
  kind: RootCauseKind,
  severity: Severity,
  summary: z.string().min(1),
  evidence: z.array(z.string()),
  labels: z.record(z.string(), z.string()).default({}),
  at: Timestamp,
});
export type Finding = z.infer<typeof Finding>;
