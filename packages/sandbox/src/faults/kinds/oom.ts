import { z } from "zod";
import { err, ok } from "@autodevops/shared";
import { bytes } from "../../controllers/quantity.js";
import { crashEffect } from "../fault-effects.js";
import { defineFault } from "../kind-def.js";
import { curedBy, notYet, onTargetWorkload } from "../cure-rules.js";
import { containersOf, findWorkload, isTargetPod, targetWorkload, templateOf } from "../workload-state.js";
import { message } from "./params.js";

/** Seconds into a run at which the process passes its limit. */
const OOM_AFTER_S = 30;
/**
 * Load spikes push a process past its steady working set; the sandbox takes the peak to be
 * 1.5 × the working set, which is why only a limit with that headroom ends the OOM kills.
 */
export const OOM_HEADROOM = 1.5;

type State = { workingSetBytes: number };

const tooSmall = (limit: string | number | undefined, workingSetBytes: number) => limit === undefined || bytes(limit) < OOM_HEADROOM * workingSetBytes;

/** The memory limit is below the working set: OOMKilled (137) again and again until the limit is raised. */
export const oom = defineFault({
  params: z.strictObject({
    message,
    /** The container's steady working set in MiB; default 1.2 × its current memory limit. */
    workingSetMi: z.number().positive().optional(),
  }),
  inject(ctx, p) {
    const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace: ctx.namespace, target: ctx.target });
    if (!w.ok) return w;
    const limit = w.value.first.resources?.limits?.memory;
    if (p.workingSetMi === undefined && limit === undefined) return err({ code: "bad_params", message: `${ctx.namespace}/${ctx.target} has no memory limit: give params.workingSetMi` });
    const workingSetBytes = p.workingSetMi !== undefined ? p.workingSetMi * 2 ** 20 : Math.round(1.2 * bytes(limit));
    return ok({ state: { workingSetBytes } satisfies State, own: [] });
  },
  effects(f, ctx) {
    if (!isTargetPod(f, ctx) || !tooSmall(ctx.container.resources?.limits?.memory, f.state.workingSetBytes)) return [];
    const line = `level=warn msg="memory usage near limit" rss_mib=${Math.round(f.state.workingSetBytes / 2 ** 20)}`;
    return [crashEffect(f, OOM_AFTER_S, { exitCode: 137, reason: "OOMKilled" }, line)];
  },
  modifiers(f) {
    return [{ service: f.target, modifier: { memoryMiB: f.state.workingSetBytes / 2 ** 20 } }];
  },
  judgeCure(f, view) {
    const w = findWorkload(view.store, f.namespace, f.target);
    const limit = w ? containersOf(templateOf(w.object))[0]?.resources?.limits?.memory : undefined;
    if (tooSmall(limit, f.state.workingSetBytes)) return notYet;
    return curedBy(f, view, onTargetWorkload(f));
  },
});
