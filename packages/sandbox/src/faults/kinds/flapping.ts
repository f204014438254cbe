import { z } from "zod";
import { ok } from "@autodevops/shared";
import { appLine } from "../../controllers/app-log-lines.js";
import { simMs } from "../../sim-time.js";
import { defineFault, type KindFault } from "../kind-def.js";
import { notYet } from "../cure-rules.js";
import { isTargetPod, targetWorkload } from "../workload-state.js";
import { message } from "./params.js";

/**
 * The flap's shape, in wall time (Prometheus evaluates alerts on real timestamps). HighErrorRate
 * (deploy/prometheus/rules.yaml) takes the 5xx share over `rate(...[1m])`, above 5 %, `for: 1m`.
 * The 5xx rate itself crosses 5 % for 40 s (7 %), then recovers; over the rule's 1m window that
 * averages to at most ~4.7 %, so the alert stays quiet, or pending for a few seconds where a
 * loaded machine's late scrapes lift the share (a real Prometheus saw a 35 s burst of 10 % at 8 %
 * where 5.8 % was due, and fired). The next burst comes once the last one has left the window.
 */
export const FLAP_PERIOD_MS = 120_000;
export const FLAP_BURST_MS = 40_000;
export const FLAP_ERROR_RATE = 0.07;

/** Whether the fault's burst is on at `at`: the first starts at injection. */
export function flapping(f: Pick<KindFault<unknown>, "injectedAt">, at: Date): boolean {
  const into = at.getTime() - new Date(f.injectedAt).getTime();
  return into >= 0 && into % FLAP_PERIOD_MS < FLAP_BURST_MS;
}

/**
 * The target's error rate crosses its alert threshold for under a minute, then recovers, every
 * two minutes (an upstream connection pool that churns, say). Nothing is broken and nothing is
 * to be done: it is never cured, only cleared.
 */
export const flappingFault = defineFault({
  params: z.strictObject({ message }),
  inject(ctx) {
    const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace: ctx.namespace, target: ctx.target });
    if (!w.ok) return w;
    return ok({ state: {}, own: [] });
  },
  effects(f, ctx) {
    if (!isTargetPod(f, ctx) || ctx.pod.spec?.containers?.[0]?.name !== ctx.container.name) return [];
    return [
      {
        type: "log",
        since: new Date(f.injectedAt),
        everyMs: simMs(10),
        line: "",
        render: (at) => f.message ?? appLine(ctx.container.name, "error", at, "request failed", { status: 500, error: "upstream connect error or disconnect/reset before headers. reset reason: connection termination" }),
        when: (at) => flapping(f, at),
      },
    ];
  },
  modifiers(f, now) {
    return flapping(f, now) ? [{ service: f.target, modifier: { errorRate: FLAP_ERROR_RATE } }] : [];
  },
  judgeCure: () => notYet,
});
