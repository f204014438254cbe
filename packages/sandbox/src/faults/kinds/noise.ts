import { z } from "zod";
import { ok } from "@autodevops/shared";
import { appLine } from "../../controllers/app-log-lines.js";
import { simMs } from "../../sim-time.js";
import { defineFault, type KindFault } from "../kind-def.js";
import { notYet } from "../cure-rules.js";
import { isTargetPod, targetWorkload } from "../workload-state.js";
import { message } from "./params.js";

/** A marketing push or a crawler: traffic × 1.3 for 20 s of every 150 s, well under any CPU limit. */
export const NOISE_PEAK = { periodMs: 150_000, lengthMs: 20_000, factor: 1.3 } as const;
/** A bot probing paths that do not exist: 20 % of requests answered 404 for 15 s of every 90 s. */
export const NOISE_BOTS = { periodMs: 90_000, offsetMs: 30_000, lengthMs: 15_000, clientErrorRate: 0.2 } as const;
/** Routine ERROR lines (clients hanging up): one per pod every 5 s, whatever else happens. */
const ROUTINE_ERROR_EVERY_MS = simMs(50);

const into = (f: Pick<KindFault<unknown>, "injectedAt">, at: Date, offsetMs = 0) => at.getTime() - new Date(f.injectedAt).getTime() - offsetMs;
export const peaking = (f: Pick<KindFault<unknown>, "injectedAt">, at: Date) => into(f, at) >= 0 && into(f, at) % NOISE_PEAK.periodMs < NOISE_PEAK.lengthMs;
export const botBurst = (f: Pick<KindFault<unknown>, "injectedAt">, at: Date) =>
  into(f, at, NOISE_BOTS.offsetMs) >= 0 && into(f, at, NOISE_BOTS.offsetMs) % NOISE_BOTS.periodMs < NOISE_BOTS.lengthMs;

/**
 * Harmless noise on the target: traffic peaks, bursts of bot requests answered 4xx, routine
 * ERROR lines at a steady rate. No 5xx, no saturation, nothing that should alert or be acted
 * on: it is never cured, only cleared.
 */
export const noiseFault = defineFault({
  params: z.strictObject({ message }),
  inject(ctx) {
    const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace: ctx.namespace, target: ctx.target });
    if (!w.ok) return w;
    return ok({ state: {}, own: [] });
  },
  effects(f, ctx) {
    if (!isTargetPod(f, ctx) || ctx.pod.spec?.containers?.[0]?.name !== ctx.container.name) return [];
    const since = new Date(f.injectedAt);
    const service = ctx.container.name;
    return [
      {
        type: "log",
        since,
        everyMs: ROUTINE_ERROR_EVERY_MS,
        line: "",
        render: (at) => f.message ?? appLine(service, "error", at, "upstream client closed connection", { status: 499, path: "/", error: "context canceled" }),
      },
      {
        type: "log",
        since,
        everyMs: simMs(5),
        line: "",
        render: (at) =>
          appLine(service, "info", at, "request completed", {
            method: "GET",
            path: ["/wp-login.php", "/.env", "/admin/config.php", "/xmlrpc.php"][Math.floor(at.getTime() / 500) % 4] ?? "/.env",
            status: 404,
            duration_ms: 1,
            user_agent: "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)",
          }),
        when: (at) => botBurst(f, at),
      },
    ];
  },
  modifiers(f, now) {
    const modifier = { ...(peaking(f, now) ? { trafficFactor: NOISE_PEAK.factor } : {}), ...(botBurst(f, now) ? { clientErrorRate: NOISE_BOTS.clientErrorRate } : {}) };
    return Object.keys(modifier).length > 0 ? [{ service: f.target, modifier }] : [];
  },
  judgeCure: () => notYet,
});
