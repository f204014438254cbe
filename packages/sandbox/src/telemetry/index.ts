// What the rest of the sandbox uses of telemetry: the per-cluster exposition, its HTTP handler,
// and the modifiers that faults set.
export { ClusterTelemetry, type ClusterTelemetryDeps } from "./metrics-exposition.js";
export { telemetryMetricsHandler } from "./metrics-handler.js";
export { TelemetryModifiers, type ServiceModifier, type StoredModifier } from "./telemetry-modifiers.js";
export { EXPOSITION_CONTENT_TYPE } from "./exposition-format.js";
export { computeTraffic, type ServiceTraffic, type ServiceState, type TrafficInput } from "./traffic-model.js";
export { memoryDemandBytes, workingSetBytes, type MemoryInput } from "./container-usage-model.js";
export { SandboxTelemetry, type SandboxTelemetryDeps } from "./sandbox-telemetry.js";
