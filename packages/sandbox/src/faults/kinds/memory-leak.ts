import { z } from "zod";
import { err, ok } from "@autodevops/shared";
import type { Mutation } from "../../api/mutation-log.js";
import { appLine } from "../../controllers/app-log-lines.js";
import type { ContainerContext, RunningContext } from "../../controllers/container-behaviour.js";
import { bytes } from "../../controllers/quantity.js";
import { simMs } from "../../sim-time.js";
import type { ContainerFaultEffect } from "../fault-effects.js";
import { defineFault, type CureVerdict, type CureView, type KindFault } from "../kind-def.js";
import { curedBy, notYet, onTargetWorkload } from "../cure-rules.js";
import { isTargetPod, livePods, targetWorkload } from "../workload-state.js";
import { message } from "./params.js";

const MIB = 2 ** 20;
/** Where each run's working set starts, as a share of the limit at injection: the middle of the baseline's 50-70 %. */
const START_FRACTION = 0.55;
/** Wall time from a run's start to its OOM kill at the default rate: five minutes of a real cluster's, compressed. */
const DEFAULT_CLIMB_MS = simMs(300);
/** The heap warnings start once the working set passes this share of the limit. */
const WARN_FRACTION = 0.8;

type State = { startMiB: number; mibPerMin: number };
type Fault = KindFault<State>;

/** Whether the container is the pod's main one (the app; sidecars do not leak). */
const isMain = (ctx: ContainerContext) => ctx.pod.spec?.containers?.[0]?.name === ctx.container.name;

/** A call that replaces the target's processes: a rollout restart, or deleting one of its pods. */
const restartOf = (f: Fault) => {
  const onTarget = onTargetWorkload(f);
  return (m: Mutation): boolean =>
    (onTarget(m) && m.action === "rollout-restart") ||
    (m.resource === "pods" && m.action === "delete-pod" && m.namespace === f.namespace && m.name?.startsWith(`${f.target}-`) === true);
};

/**
 * The leak's effects on one container: the heap warns as it nears the limit, and the kernel kills
 * the process (OOMKilled, 137) when the working set reaches it. Each run starts low and climbs
 * again (a container restart starts a new process), so the kills repeat.
 */
function leakEffects(f: Fault, ctx: ContainerContext): ContainerFaultEffect[] {
  if (!isTargetPod(f, ctx) || !isMain(ctx)) return [];
  const since = new Date(f.injectedAt);
  const limit = ctx.container.resources?.limits?.memory;
  const limitMiB = limit === undefined ? undefined : bytes(limit) / MIB;
  // The kubelet asks with the running context while the container runs (logs, exits).
  const startedAt = (ctx as Partial<RunningContext>).startedAt;
  const runFrom = Math.max(startedAt?.getTime() ?? since.getTime(), since.getTime());
  const usedMiB = (at: Date) => f.state.startMiB + (f.state.mibPerMin * Math.max(0, at.getTime() - runFrom)) / 60_000;
  const effects: ContainerFaultEffect[] = [
    {
      type: "log",
      since,
      everyMs: simMs(20),
      line: "",
      render: (at) => appLine(ctx.container.name, "warn", at, "heap usage high, GC cannot keep up", { heap_inuse_mib: Math.round(usedMiB(at)), ...(limitMiB !== undefined ? { limit_mib: Math.round(limitMiB) } : {}) }),
      when: (at) => limitMiB === undefined || usedMiB(at) >= WARN_FRACTION * limitMiB,
    },
  ];
  if (limitMiB !== undefined) {
    const afterMs = (Math.max(0, limitMiB - f.state.startMiB) / f.state.mibPerMin) * 60_000;
    const line = f.message ?? appLine(ctx.container.name, "warn", new Date(runFrom + afterMs), "memory usage near limit", { rss_mib: Math.round(limitMiB), limit_mib: Math.round(limitMiB) });
    effects.push({ type: "crash", afterMs, since, exitCode: 137, reason: "OOMKilled", line, fromSince: true });
  }
  return effects;
}

/**
 * Cured (in truth mitigated) once a restart has replaced every leaking process: a rollout restart,
 * or pod deletions, after which no pod created before the first of those calls is left. The
 * contract's "a restart cures until the memory climbs again" and the scenario runner's
 * memory-leak scenario (a rollout restart or delete-pod, expected `cured: true`) both read a
 * restart as the cure; the leak itself is in the code, beyond any cluster action. Raising the limit
 * only delays the next kill, and the OOM kills restart containers, not pods: neither cures. Once
 * cured, the sandbox stops the leak (the registry drops a cured fault's effects), as the climb back
 * would take longer than a scenario watches.
 */
function judgeLeakCure(f: Fault, view: CureView): CureVerdict {
  const since = new Date(f.injectedAt).getTime();
  const isRestart = restartOf(f);
  const first = view.mutations.find((m) => m.cluster === f.cluster && !f.own.includes(m) && new Date(m.at).getTime() >= since && isRestart(m));
  if (!first) return notYet;
  // creationTimestamp has whole seconds: a pod made in the restart's second counts as made after it.
  const restartSecond = Math.floor(new Date(first.at).getTime() / 1000) * 1000;
  const leftover = livePods(view.store, f.namespace, f.target).some((p) => new Date(p.metadata.creationTimestamp ?? 0).getTime() < restartSecond);
  if (leftover) return notYet;
  return curedBy(f, view, isRestart);
}

/** The working set climbs at `params.mibPerMin` from each start until the memory limit OOMKills it, again and again. */
export const memoryLeak = defineFault({
  params: z.strictObject({
    message,
    /**
     * Growth in MiB per minute of wall time (what Prometheus's deriv() of the working set shows);
     * default: from 55 % of the limit to the limit in 30 s, five minutes of a real cluster's time.
     */
    mibPerMin: z.number().positive().optional(),
  }),
  inject(ctx, p) {
    const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace: ctx.namespace, target: ctx.target });
    if (!w.ok) return w;
    const limit = w.value.first.resources?.limits?.memory;
    if (limit === undefined) return err({ code: "bad_params", message: `${ctx.namespace}/${ctx.target} has no memory limit: a leak there is never OOMKilled` });
    const limitMiB = bytes(limit) / MIB;
    const startMiB = START_FRACTION * limitMiB;
    const mibPerMin = p.mibPerMin ?? Math.round((limitMiB - startMiB) / (DEFAULT_CLIMB_MS / 60_000));
    return ok({ state: { startMiB, mibPerMin } satisfies State, own: [] });
  },
  effects: leakEffects,
  modifiers(f) {
    return [{ service: f.target, modifier: { memoryMiB: f.state.startMiB, memoryGrowthMiBPerMin: f.state.mibPerMin } }];
  },
  judgeCure: judgeLeakCure,
});
