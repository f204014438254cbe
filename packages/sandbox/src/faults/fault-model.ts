import type { FaultKind } from "./fault-kinds.js";
import type { KindFault } from "./kind-def.js";

/** A fault as `GET /sandbox/faults` lists it. */
export type Fault = {
  id: string;
  kind: FaultKind;
  cluster: string;
  namespace: string;
  target: string;
  params: Record<string, unknown>;
  injectedAt: string;
  cured: boolean;
  curedAt?: string;
  curedBy?: string;
};

/** A fault with what the registry keeps beside it; its kind's definition knows the state's shape. */
export type ActiveFault = KindFault<unknown>;
