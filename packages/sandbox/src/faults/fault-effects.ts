import type { ContainerContext } from "../controllers/container-behaviour.js";
import { bytes } from "../controllers/quantity.js";
import { simMs } from "../sim-time.js";
import type { ActiveFault } from "./fault-model.js";
import { workloadOfPod } from "./workload-state.js";

/** What an active fault does to one container, for the fault behaviour to act out. */
export type ContainerFaultEffect =
  /** Exits `afterMs` into a run, and not before `since` (a process already running dies when the fault strikes). */
  | { type: "crash"; afterMs: number; since: Date; exitCode: number; reason: string; line: string }
  | { type: "hang"; since: Date; line: string }
  | { type: "probe-fail"; path: string; line: string };

/** Seconds a crashing process lives (a real cluster's; compressed by sim-time). */
const CRASH_AFTER_S = 20;
const OOM_AFTER_S = 30;
/**
 * Load spikes push a process past its steady working set; the sandbox takes the peak to be
 * 1.5 × the working set, which is why only a limit with that headroom ends the OOM kills.
 */
export const OOM_HEADROOM = 1.5;

const PANIC = "panic: runtime error: invalid memory address or nil pointer dereference";
const BAD_ROLLOUT_PANIC = 'panic: config: required setting "FEATURE_CHECKOUT_V2_ENDPOINT" is not set';
const DEPENDENCY_FATAL = "FATAL: unrecoverable error: Fatal error loading the DB: Invalid argument. Exiting.";
const HUNG = 'level=warn msg="worker pool exhausted, waiting for lock" goroutines=512';
/** What the kubelet reports for a readiness path the app does not serve. */
export const PROBE_404 = "HTTP probe failed with statuscode: 404";

/**
 * The effects of the (uncured) faults on the container the kubelet asks about. Pure: the faults
 * carry what was captured at injection, the context carries the pod as it is now.
 */
export function containerEffects(faults: readonly ActiveFault[], ctx: ContainerContext): ContainerFaultEffect[] {
  const { pod, container } = ctx;
  const workload = workloadOfPod(pod);
  const out: ContainerFaultEffect[] = [];
  for (const f of faults) {
    if (f.cured || f.cluster !== ctx.cluster || f.namespace !== pod.metadata.namespace || f.target !== workload) continue;
    const s = f.state;
    switch (s.kind) {
      case "crashloop":
      case "dependency-down":
        if (s.podUids.includes(pod.metadata.uid)) {
          out.push({ type: "crash", afterMs: simMs(CRASH_AFTER_S), since: new Date(f.injectedAt), exitCode: 1, reason: "Error", line: f.message ?? (s.kind === "crashloop" ? PANIC : DEPENDENCY_FATAL) });
        }
        break;
      case "oom": {
        const limit = container.resources?.limits?.memory;
        if (limit === undefined || bytes(limit) < OOM_HEADROOM * s.workingSetBytes) {
          const line = f.message ?? `level=warn msg="memory usage near limit" rss_mib=${Math.round(s.workingSetBytes / 2 ** 20)}`;
          out.push({ type: "crash", afterMs: simMs(OOM_AFTER_S), since: new Date(f.injectedAt), exitCode: 137, reason: "OOMKilled", line });
        }
        break;
      }
      case "bad-rollout":
        if (s.badImage !== undefined && container.image === s.badImage) {
          out.push({ type: "crash", afterMs: simMs(CRASH_AFTER_S), since: new Date(f.injectedAt), exitCode: 1, reason: "Error", line: f.message ?? BAD_ROLLOUT_PANIC });
        }
        break;
      case "probe-failure":
        if (s.badPath !== undefined) out.push({ type: "probe-fail", path: s.badPath, line: f.message ?? `level=warn msg="no route" method=GET path=${s.badPath} status=404` });
        break;
      case "hung-replica":
        if (pod.metadata.uid === s.podUid) out.push({ type: "hang", since: new Date(f.injectedAt), line: f.message ?? HUNG });
        break;
      case "image-pull":
      case "scaled-to-zero":
      case "config-error":
      case "node-not-ready":
        // These act on the objects (image, replicas, ConfigMap, node health), not on processes.
        break;
    }
  }
  return out;
}

