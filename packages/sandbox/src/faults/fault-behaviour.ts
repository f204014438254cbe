import type { ContainerBehaviour, ContainerContext, RunningContext } from "../controllers/container-behaviour.js";
import type { LogLine } from "../runtime/container-logs.js";
import { PROBE_404, type ContainerFaultEffect } from "./fault-effects.js";

/** What the behaviour asks the fault registry, at every kubelet step. */
export interface FaultEffectSource {
  effectsFor(ctx: ContainerContext): ContainerFaultEffect[];
  /** Images that do not exist (a fault pushed a tag nobody built); the pull error's message. */
  missingImage(image: string): string | undefined;
}

const exitTime = (crash: { afterMs: number; since: Date; fromSince?: boolean }, ctx: RunningContext): Date =>
  crash.fromSince === true
    ? new Date(Math.max(ctx.startedAt.getTime(), crash.since.getTime()) + crash.afterMs)
    : new Date(Math.max(ctx.startedAt.getTime() + crash.afterMs, crash.since.getTime()));

const crashOf = (effects: ContainerFaultEffect[]) => effects.find((e) => e.type === "crash");

/**
 * Containers as the default behaviour runs them, except where an active fault applies: the
 * kubelet asks at every sync, so a fault takes hold (and lets go) without restarting anything.
 */
export function createFaultBehaviour(base: ContainerBehaviour, faults: FaultEffectSource): ContainerBehaviour {
  return {
    pullImage(ctx) {
      const image = ctx.container.image ?? "";
      const missing = faults.missingImage(image);
      return missing !== undefined ? { ok: false, message: missing } : base.pullImage(ctx);
    },
    createContainer: (ctx) => base.createContainer(ctx),
    exited(ctx) {
      const crash = crashOf(faults.effectsFor(ctx));
      if (crash && ctx.now >= exitTime(crash, ctx)) {
        return { exitCode: crash.exitCode, reason: crash.reason };
      }
      return base.exited(ctx);
    },
    probe(ctx, kind, probe) {
      const effects = faults.effectsFor(ctx);
      if (kind === "readiness" && effects.some((e) => e.type === "hang")) {
        const port = probe.httpGet?.port ?? probe.tcpSocket?.port ?? "";
        return { ok: false, message: `Get "http://${ctx.pod.status?.podIP ?? "0.0.0.0"}:${port}${probe.httpGet?.path ?? ""}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` };
      }
      if (kind === "readiness" && effects.some((e) => e.type === "probe-fail" && e.path === probe.httpGet?.path)) {
        return { ok: false, message: PROBE_404 };
      }
      return base.probe(ctx, kind, probe);
    },
    logLines(ctx, window) {
      const effects = faults.effectsFor(ctx);
      return withFaultLines(base.logLines(ctx, window), effects, ctx, window);
    },
    stopSeconds(ctx, grace) {
      // A deadlocked process ignores SIGTERM and is killed at the end of the grace period.
      return faults.effectsFor(ctx).some((e) => e.type === "hang") ? grace : base.stopSeconds(ctx, grace);
    },
  };
}

function withFaultLines(lines: LogLine[], effects: ContainerFaultEffect[], ctx: RunningContext, window: { from: Date; to: Date }): LogLine[] {
  const inWindow = (at: Date) => at >= window.from && at <= window.to;
  // Steady lines first, so that a crash or a hang below cuts them off as it cuts the app's own.
  let out = [...lines, ...effects.flatMap((e) => (e.type === "log" ? steadyLines(e, ctx, window) : []))].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const e of effects) {
    if (e.type === "crash") {
      // The process dies at exitAt: nothing after it, and its last words at that moment.
      const exitAt = exitTime(e, ctx);
      out = out.filter((l) => l.at < exitAt);
      if (inWindow(exitAt)) out.push({ at: exitAt, text: e.line });
    } else if (e.type === "hang") {
      // A deadlocked process writes nothing once it hangs.
      out = out.filter((l) => l.at < e.since);
      if (inWindow(e.since)) out.push({ at: e.since, text: e.line });
    } else if (e.type === "probe-fail" && window.from.getTime() === ctx.startedAt.getTime()) {
      out.push({ at: window.from, text: e.line });
    }
  }
  return out;
}

/** A log effect's lines in the window, on a fixed grid from `since`, so lines neither repeat nor go missing across windows. */
function steadyLines(e: Extract<ContainerFaultEffect, { type: "log" }>, ctx: RunningContext, window: { from: Date; to: Date }): LogLine[] {
  const out: LogLine[] = [];
  const first = Math.max(window.from.getTime(), e.since.getTime(), ctx.startedAt.getTime());
  for (let t = e.since.getTime() + Math.ceil((first - e.since.getTime()) / e.everyMs) * e.everyMs; t < window.to.getTime(); t += e.everyMs) {
    const at = new Date(t);
    if (e.when && !e.when(at)) continue;
    out.push({ at, text: e.render ? e.render(at) : e.line });
  }
  return out;
}
