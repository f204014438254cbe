// The public surface of @autodevops/sandbox.
export { startSandbox, type SandboxOptions, type RunningSandbox, type RunningCluster } from "./sandbox.js";
export { ClusterStore, type StoreError } from "./store/cluster-store.js";
export type { KubeObject, WatchEvent } from "./store/types.js";
export { MutationLog, type Mutation } from "./api/mutation-log.js";
export { ContainerLogs } from "./runtime/container-logs.js";
export { TIME_FACTOR, simMs } from "./sim-time.js";
export { SandboxTelemetry, TelemetryModifiers, type ServiceModifier } from "./telemetry/index.js";
export { FaultRegistry } from "./faults/fault-registry.js";
export type { Fault } from "./faults/fault-model.js";
