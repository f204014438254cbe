import type { Mutation } from "../api/mutation-log.js";
import type { FaultKind } from "./fault-kinds.js";

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

/** What an injection changed or captured, so that effects, cure checks and undo can use it. */
export type FaultState =
  /** The pods running at injection: the bad state lives in their processes, so new pods are healthy. */
  | { kind: "crashloop" | "dependency-down"; podUids: string[]; podNames: string[] }
  | { kind: "oom"; workingSetBytes: number }
  | {
      kind: "image-pull" | "bad-rollout" | "probe-failure";
      /** The template before the fault's rollout: a rollback brings it back. */
      previousTemplate: Record<string, unknown>;
      previousChangeCause: string | undefined;
      badImage?: string;
      badPath?: string;
    }
  | { kind: "scaled-to-zero"; previousReplicas: number }
  | { kind: "config-error"; configMap: string; key: string; value: string }
  | { kind: "hung-replica"; podUid: string; podName: string }
  | { kind: "node-not-ready"; node: string };

/** A fault with what the registry keeps beside it. */
export type ActiveFault = Fault & {
  state: FaultState;
  /** `params.message`, if given: the line the symptoms write in place of the default one. */
  message: string | undefined;
  /** Mutations the injection itself recorded (as `params.by`): never the cure. */
  own: readonly Mutation[];
};
