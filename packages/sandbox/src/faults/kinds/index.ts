import type { FaultKind } from "@autodevops/shared";
import type { AnyFaultKindDef } from "../kind-def.js";
import { configError } from "./config-error.js";
import { diskPressure } from "./disk-pressure.js";
import { flappingFault } from "./flapping.js";
import { hungReplica } from "./hung-replica.js";
import { networkPolicyBlock } from "./network-policy-block.js";
import { memoryLeak } from "./memory-leak.js";
import { nodeNotReady } from "./node-not-ready.js";
import { noisyNeighbour } from "./noisy-neighbour.js";
import { oom } from "./oom.js";
import { noiseFault } from "./noise.js";
import { crashloop, dependencyDown } from "./process-crash.js";
import { quotaExceeded } from "./quota-exceeded.js";
import { roguePod } from "./rogue-pod.js";
import { badRollout, imagePull, probeFailure } from "./rollout-change.js";
import { scaledToZero } from "./scaled-to-zero.js";
import { unschedulable } from "./unschedulable.js";
import { slowDependency } from "./slow-dependency.js";
import { trafficSpike } from "./traffic-spike.js";

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
  unschedulable,
  "disk-pressure": diskPressure,
  "network-policy-block": networkPolicyBlock,
  "quota-exceeded": quotaExceeded,
  "noisy-neighbour": noisyNeighbour,
  "rogue-pod": roguePod,
  "memory-leak": memoryLeak,
  "traffic-spike": trafficSpike,
  "slow-dependency": slowDependency,
  flapping: flappingFault,
  noise: noiseFault,
} as Partial<Record<FaultKind, AnyFaultKindDef>>;
