import { z } from "zod";
import { err, ok } from "@autodevops/shared";
import { appLine } from "../../controllers/app-log-lines.js";
import { WORKLOADS } from "../../estate/workloads.js";
import { hashUnit } from "../../telemetry/noise.js";
import { EXTERNAL_SERVICES } from "../../telemetry/service-profiles.js";
import { simMs } from "../../sim-time.js";
import { defineFault } from "../kind-def.js";
import { notYet } from "../cure-rules.js";
import { isTargetPod, targetWorkload } from "../workload-state.js";
import { message } from "./params.js";

/** Added to each call to the external dependency when the request names no latency. */
const DEFAULT_LATENCY_MS = 2000;

type State = { dependency: string; latencyMs: number };

/**
 * The target's calls to a dependency outside the cluster (the payment gateway) slow down: its
 * latency and its callers' rise, its traces show the slow CLIENT span, its logs warn of the slow
 * upstream. Nothing inside the cluster cures it (restarts, rollbacks and scaling leave the
 * gateway as slow as it was): it is never cured, only cleared.
 */
export const slowDependency = defineFault({
  params: z.strictObject({ message, latencyMs: z.number().positive().max(60_000).optional() }),
  inject(ctx, p) {
    const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace: ctx.namespace, target: ctx.target });
    if (!w.ok) return w;
    const spec = WORKLOADS.find((x) => x.namespace === ctx.namespace && x.name === ctx.target);
    const dependency = spec?.calls.find((c) => EXTERNAL_SERVICES[c] !== undefined);
    if (dependency === undefined) {
      const callers = WORKLOADS.filter((x) => x.calls.some((c) => EXTERNAL_SERVICES[c] !== undefined)).map((x) => `${x.namespace}/${x.name}`);
      return err({ code: "unknown_target", message: `${ctx.namespace}/${ctx.target} calls nothing outside the cluster; slow-dependency applies to ${callers.join(", ")}` });
    }
    return ok({ state: { dependency, latencyMs: p.latencyMs ?? DEFAULT_LATENCY_MS } satisfies State, own: [] });
  },
  effects(f, ctx) {
    if (!isTargetPod(f, ctx) || ctx.pod.spec?.containers?.[0]?.name !== ctx.container.name) return [];
    const normal = EXTERNAL_SERVICES[f.state.dependency]?.latencyMs ?? 0;
    return [
      {
        type: "log",
        since: new Date(f.injectedAt),
        everyMs: simMs(15),
        line: "",
        render: (at) =>
          f.message ??
          appLine(ctx.container.name, "warn", at, "upstream request slow", {
            upstream: f.state.dependency,
            method: "POST",
            path: "/v2/charges",
            duration_ms: Math.round((normal + f.state.latencyMs) * (0.8 + 0.5 * hashUnit(at.getTime(), ctx.pod.metadata.name))),
          }),
      },
    ];
  },
  modifiers(f) {
    return [{ service: f.target, modifier: { externalLatencyMs: f.state.latencyMs } }];
  },
  judgeCure: () => notYet,
});
