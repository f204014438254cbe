// What the rest of the sandbox uses of the controllers.
export { startControllers, type StartControllersOptions, type RunningControllers } from "./start-controllers.js";
export {
  createDefaultBehaviour,
  type ContainerBehaviour,
  type ContainerContext,
  type RunningContext,
  type PullOutcome,
  type CreateOutcome,
  type ContainerExit,
  type ProbeKind,
  type ProbeOutcome,
  type DefaultBehaviourOptions,
} from "./container-behaviour.js";
export { NodeHealthBoard, type KubeletHealth, type PressureCondition } from "./node-health.js";
export { EventRecorder, type EventSubject, type EventSource, type EventType } from "./event-recorder.js";
export { imageNotFoundMessage, normalizeImage } from "./image-ref.js";
export { quotaRefusalFor } from "./pod-creation.js";
export { startupLines, runningLines } from "./app-log-lines.js";
export type { ControllerLog } from "./work-queue.js";
