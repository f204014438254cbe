import { z } from "zod";
import type { FaultKind } from "@autodevops/shared";

// Every fault kind of CONTRACTS.md section 3, simulated or not yet: the shared vocabulary.
export { FAULT_KINDS, FaultKind } from "@autodevops/shared";

/** Kinds whose `target` is a node rather than a workload. */
export const NODE_FAULT_KINDS: ReadonlySet<FaultKind> = new Set(["node-not-ready", "noisy-neighbour", "rogue-pod"]);

// `message` is accepted by every kind (CONTRACTS.md section 3); `by` by the kinds that simulate
// someone else's API call, so the mutation log shows who did it.
const message = z.string().min(1).optional();
const by = z.string().min(1).optional();

/** The params of each kind the sandbox simulates; a kind missing here answers "not simulated yet". */
export const FAULT_PARAMS = {
  crashloop: z.strictObject({ message }),
  "dependency-down": z.strictObject({ message }),
  oom: z.strictObject({
    message,
    /** The container's steady working set in MiB; default 1.2 × its current memory limit. */
    workingSetMi: z.number().positive().optional(),
  }),
  "image-pull": z.strictObject({ message, by, tag: z.string().regex(/^[\w][\w.-]{0,127}$/).optional() }),
  "bad-rollout": z.strictObject({ message, by, mode: z.enum(["crash", "errors"]).default("crash"), tag: z.string().regex(/^[\w][\w.-]{0,127}$/).optional() }),
  "probe-failure": z.strictObject({ message, by, path: z.string().startsWith("/").optional() }),
  "scaled-to-zero": z.strictObject({ message, by }),
  "config-error": z.strictObject({ message, by, key: z.string().min(1).optional() }),
  "hung-replica": z.strictObject({ message, pod: z.string().min(1).optional() }),
  "node-not-ready": z.strictObject({ message, mode: z.enum(["NotReady", "Unreachable"]).default("NotReady") }),
} as const;
export type SimulatedKind = keyof typeof FAULT_PARAMS;
export type FaultParams<K extends SimulatedKind> = z.output<(typeof FAULT_PARAMS)[K]>;

export function isSimulated(kind: FaultKind): kind is SimulatedKind {
  return Object.hasOwn(FAULT_PARAMS, kind);
}

/** Body of `POST /sandbox/faults` (and the registry's `inject`). */
export const FaultRequest = z.strictObject({
  kind: z.string().min(1),
  cluster: z.string().min(1).default("prod"),
  // Node faults name a node; their namespace means nothing, so it may be left out.
  namespace: z.string().default(""),
  target: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
});
export type FaultRequest = z.input<typeof FaultRequest>;
