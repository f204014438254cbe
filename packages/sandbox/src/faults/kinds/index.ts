import type { FaultKind } from "@autodevops/shared";
import type { AnyFaultKindDef } from "../kind-def.js";
import { configError } from "./config-error.js";
import { hungReplica } from "./hung-replica.js";
import { nodeNotReady } from "./node-not-ready.js";
import { oom } from "./oom.js";
import { crashloop, dependencyDown } from "./process-crash.js";
import { badRollout, imagePull, probeFailure } from "./rollout-change.js";
import { scaledToZero } from "./scaled-to-zero.js";

/** The kinds the sandbox simulates, one definition each; a kind missing here answers "not simulated yet". */
export const FAULT_DEFS: Partial<Record<FaultKind, AnyFaultKindDef>> = {
  crashloop,
  "dependency-down": dependencyDown,
  oom,
  "image-pull": imagePull,
  "bad-rollout": badRollout,
  "probe-failure": probeFailure,
  "scaled-to-zero": scaledToZero,
  "config-error": configError,
  "hung-replica": hungReplica,
  "node-not-ready": nodeNotReady,
} as Partial<Record<FaultKind, AnyFaultKindDef>>;
