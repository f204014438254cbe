import { z } from "zod";
import { ok } from "@autodevops/shared";
import type { Mutation } from "../../api/mutation-log.js";
import { appLine } from "../../controllers/app-log-lines.js";
import { cpuMilli } from "../../controllers/quantity.js";
import { simMs } from "../../sim-time.js";
import { serviceStates, takeSnapshot } from "../../telemetry/cluster-snapshot.js";
import { computeTraffic, TRAFFIC_NOISE } from "../../telemetry/traffic-model.js";
import { defineFault, type CureVerdict, type CureView, type KindFault } from "../kind-def.js";
import { curedBy, notYet, onTargetWorkload } from "../cure-rules.js";
import { containersOf, findWorkload, isTargetPod, targetWorkload, templateOf } from "../workload-state.js";
import { message } from "./params.js";

/** The factor when the request names none: enough to push any shop service past its CPU limit at most hours of the day. */
const DEFAULT_FACTOR = 4;

type State = { factor: number; replicasAtInjection: number };
type Fault = KindFault<State>;

/** The latest scale of the target since injection (spec.replicas or the scale subresource), not the fault's own. */
function latestScale(f: Fault, view: CureView): Mutation | undefined {
  const since = new Date(f.injectedAt).getTime();
  const onTarget = onTargetWorkload(f);
  for (let i = view.mutations.length - 1; i >= 0; i--) {
    const m = view.mutations[i];
    if (m && m.cluster === f.cluster && !f.own.includes(m) && new Date(m.at).getTime() >= since && onTarget(m) && m.action === "scale") return m;
  }
  return undefined;
}

/**
 * Saturation of the target's pods, by the traffic model, with the spike on and `replicas` pods
 * sharing it, at `at`'s time of day and at the top of the traffic's short-term wander: what the
 * CPU of each pod must carry for the throttling to stop. Other faults are left out: they are
 * not what the scaling is judged against.
 */
export function spikeSaturation(f: Pick<Fault, "cluster" | "namespace" | "target" | "state">, store: CureView["store"], replicas: number, at: Date): number | undefined {
  const w = findWorkload(store, f.namespace, f.target);
  if (!w) return undefined;
  const limit = containersOf(templateOf(w.object))[0]?.resources?.limits?.cpu;
  const services = serviceStates(takeSnapshot(store)).map((s) =>
    s.name === f.target && s.namespace === f.namespace ? { ...s, readyPods: replicas, cpuLimitMilli: limit === undefined ? undefined : cpuMilli(limit) } : s,
  );
  const traffic = computeTraffic({
    cluster: f.cluster,
    at,
    seed: 0,
    steady: true,
    services,
    modifierOf: (service) => (service === f.target ? { trafficFactor: f.state.factor } : {}),
  });
  return (traffic.get(f.target)?.saturation ?? 0) * (1 + TRAFFIC_NOISE);
}

/**
 * Cured by a scale-up of the target (kubectl scale, or a patch of spec.replicas) to enough
 * replicas that each pod's CPU carries the spike: saturation under 1 at the time of the scale,
 * even at the top of the traffic's wander. Raising the CPU limit, restarting or rolling back
 * does not count: the contract's cure is scaling out. curedBy is whoever scaled last.
 */
function judgeSpikeCure(f: Fault, view: CureView): CureVerdict {
  const scale = latestScale(f, view);
  if (!scale) return notYet;
  const w = findWorkload(view.store, f.namespace, f.target);
  const replicas = Number(w?.object.spec?.replicas ?? 0);
  if (replicas <= f.state.replicasAtInjection) return notYet;
  const saturation = spikeSaturation(f, view.store, replicas, new Date(scale.at));
  if (saturation === undefined || saturation >= 1) return notYet;
  return curedBy(f, view, (m) => onTargetWorkload(f)(m) && m.action === "scale");
}

/** Requests to the target × `params.factor` (and so to what it calls): CPU at the limit, throttling, p99 up. */
export const trafficSpike = defineFault({
  params: z.strictObject({ message, factor: z.number().gt(1).max(100).optional() }),
  inject(ctx, p) {
    const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace: ctx.namespace, target: ctx.target });
    if (!w.ok) return w;
    return ok({ state: { factor: p.factor ?? DEFAULT_FACTOR, replicasAtInjection: Number(w.value.object.spec?.replicas ?? 1) } satisfies State, own: [] });
  },
  effects(f, ctx) {
    if (!isTargetPod(f, ctx) || ctx.pod.spec?.containers?.[0]?.name !== ctx.container.name) return [];
    // Requests queue behind the throttled CPU: the app's slow-request warnings.
    return [
      {
        type: "log",
        since: new Date(f.injectedAt),
        everyMs: simMs(10),
        line: "",
        render: (at) => f.message ?? appLine(ctx.container.name, "warn", at, "slow request: queued behind in-flight requests", { in_flight: 180 + (at.getTime() % 97), queue_wait_ms: 400 + (at.getTime() % 613) }),
      },
    ];
  },
  modifiers(f) {
    return [{ service: f.target, modifier: { trafficFactor: f.state.factor } }];
  },
  judgeCure: judgeSpikeCure,
});
