import type { LogLine } from "../runtime/container-logs.js";
import { runningLines, startupLines } from "./app-log-lines.js";
import { imageNotFoundMessage, imageTag, normalizeImage } from "./image-ref.js";
import type { Container, Pod, Probe } from "./kube-shapes.js";

/** Which container the kubelet asks about, and when. */
export type ContainerContext = {
  cluster: string;
  node: string;
  pod: Pod;
  container: Container;
  now: Date;
  /** Restarts of this container in this pod so far. */
  restartCount: number;
};

/** A container that is running: `startedAt` is the start of the current run. */
export type RunningContext = ContainerContext & { startedAt: Date };

export type PullOutcome = { ok: true; sizeBytes?: number } | { ok: false; message: string };

export type CreateOutcome =
  | { ok: true }
  /** Kubelet reasons: CreateContainerConfigError, CreateContainerError, RunContainerError. */
  | { ok: false; reason: string; message: string };

/** How a container's process ended: `Error` (exitCode ≠ 0), `OOMKilled` (137), `Completed` (0). */
export type ContainerExit = { exitCode: number; reason: string; message?: string };

export type ProbeKind = "readiness" | "liveness" | "startup";

/** A probe failure's message is what the kubelet prints after "Readiness probe failed: ". */
export type ProbeOutcome = { ok: true } | { ok: false; message: string };

/**
 * What the containers of a cluster do: the hook the fault injection plugs into. The kubelet
 * simulation asks it at each step (so an answer may change over time, as a fault comes and
 * goes) and does the rest itself: ConfigMap and Secret references (CreateContainerConfigError)
 * are checked against the store before `createContainer` is asked; back-offs, restarts, probe
 * thresholds, statuses and events follow from the answers.
 */
export interface ContainerBehaviour {
  /** Whether the image pulls; a failure's message is the runtime's error (ErrImagePull, then ImagePullBackOff). */
  pullImage(ctx: ContainerContext): PullOutcome;
  /** Whether the container can be created and started once the image is there. */
  createContainer(ctx: ContainerContext): CreateOutcome;
  /** Asked while the container runs: how it has exited by `now`, or undefined while it keeps running. */
  exited(ctx: RunningContext): ContainerExit | undefined;
  /** The result of one probe of the container (asked at the probe's period, after its initial delay). */
  probe(ctx: RunningContext, kind: ProbeKind, probe: Probe): ProbeOutcome;
  /** Lines the container writes in [from, to); `first` on the first call of a run (startup lines). */
  logLines(ctx: RunningContext, window: { from: Date; to: Date; first: boolean }): LogLine[];
  /** Seconds the process takes to exit after SIGTERM; at the grace period it is killed. */
  stopSeconds(ctx: RunningContext, gracePeriodSeconds: number): number;
}

export type DefaultBehaviourOptions = {
  random: () => number;
  /**
   * Image references (`registry.example.com/shop/web:v9`) or bare tags (`v9`) that do not exist:
   * pulling them fails with NotFound. The set is read at every pull, so it may change later.
   */
  missingImages?: ReadonlySet<string>;
};

/** Healthy containers: images pull (unless missing), containers run until stopped, probes pass, logs trickle. */
export function createDefaultBehaviour(opts: DefaultBehaviourOptions): ContainerBehaviour {
  const missing = opts.missingImages ?? new Set<string>();
  return {
    pullImage({ container }) {
      const image = container.image ?? "";
      if (missing.has(image) || missing.has(normalizeImage(image)) || missing.has(imageTag(image))) {
        return { ok: false, message: imageNotFoundMessage(image) };
      }
      return { ok: true, sizeBytes: 20_000_000 + Math.floor(opts.random() * 60_000_000) };
    },
    createContainer: () => ({ ok: true }),
    exited: () => undefined,
    probe: () => ({ ok: true }),
    logLines({ container }, { from, to, first }) {
      const image = container.image ?? "";
      const port = container.ports?.[0]?.containerPort;
      return [...(first ? startupLines(container.name, image, port, from) : []), ...runningLines(container.name, image, from, to, opts.random)];
    },
    stopSeconds: (_ctx, grace) => grace,
  };
}
