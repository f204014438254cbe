import { z } from "zod";

// Every fault kind of CONTRACTS.md section 3, simulated or not yet: the shared vocabulary.
export { FAULT_KINDS, FaultKind } from "@autodevops/shared";

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
