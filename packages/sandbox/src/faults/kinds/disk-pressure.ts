import { z } from "zod";
import { err, ok } from "@autodevops/shared";
import { bytes } from "../../controllers/quantity.js";
import { simMs } from "../../sim-time.js";
import { defineFault } from "../kind-def.js";
import { curedBy, notYet } from "../cure-rules.js";
import { isTargetPod, livePods, targetWorkload } from "../workload-state.js";
import { message } from "./params.js";

/**
 * Cleaning data out of a volume happens inside the pod (`kubectl exec … vacuumdb`, `rm` of old
 * WAL or dumps), which the sandbox's API does not serve. Setting this annotation on the claim
 * (any new value) stands for that cleanup having been run: it is a call on the Kubernetes API,
 * so the mutation log records who did it, and nothing in Scarlet's action vocabulary makes it.
 */
export const CLEANUP_ANNOTATION = "sandbox.autodevops.io/data-cleaned-at";

/** The data stops growing here, a hair under full: the database refuses the writes that would fill it. */
const FILL_TO = 0.98;
/** A volume counts as relieved when what the fault wrote fills under this share of it. */
export const RELIEVED_BELOW = 0.8;
/** The fill climbs from `startFraction` to FILL_TO over this much cluster time. */
const CLIMB_MS = simMs(600);

type State = { claim: string; mountPath: string; capacityBytes: number; startFraction: number; cleanup: string | undefined };

type Claim = { spec?: { resources?: { requests?: { storage?: string } } }; status?: { capacity?: { storage?: string } }; metadata: { annotations?: Record<string, string> } };

/** Bytes the fault's data takes `ms` after injection: a backlog that landed (a bulk import, WAL piling up) still creeping. */
function usedBytes(s: State, ms: number): number {
  const fraction = Math.min(FILL_TO, s.startFraction + (FILL_TO - s.startFraction) * Math.max(0, ms / CLIMB_MS));
  return Math.round(s.capacityBytes * fraction);
}

/** What the target writes when its volume is full: Postgres' own words for the database, a Node-style ENOSPC for the rest. */
function enospcLine(s: State, target: string): string {
  if (/postgres/.test(s.mountPath)) return `ERROR:  could not extend file "base/16384/16397": No space left on device`;
  return JSON.stringify({ level: "error", msg: "write failed", service: target, error: `ENOSPC: no space left on device, write '${s.mountPath}/segment-000421.log'` });
}

/**
 * The target's PersistentVolumeClaim fills past 90 % (and creeps to 98 %): the kubelet's volume
 * stats show it, its writes fail with "no space left on device" (some of its requests fail with
 * them), the pod stays up. Expanding the claim so the data fits under 80 % of it, or cleaning
 * data out (CLEANUP_ANNOTATION), is the cure; restarting the pod frees nothing.
 */
export const diskPressure = defineFault({
  params: z.strictObject({
    message,
    /** Share of the volume in use at injection; it climbs to 98 % from there. */
    usedFraction: z.number().min(0.9).max(FILL_TO).default(0.93),
  }),
  inject(ctx, p) {
    const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace: ctx.namespace, target: ctx.target });
    if (!w.ok) return w;
    const pod = livePods(ctx.cluster.store, ctx.namespace, ctx.target).find((x) => (x.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim));
    const volume = pod?.spec?.volumes?.find((v) => v.persistentVolumeClaim);
    const claimName = volume?.persistentVolumeClaim?.claimName;
    if (!pod || !volume || claimName === undefined) return err({ code: "unknown_target", message: `${ctx.namespace}/${ctx.target} mounts no PersistentVolumeClaim (disk-pressure needs one, e.g. shop/catalog-db)` });
    const claim = ctx.cluster.store.get("persistentvolumeclaims", ctx.namespace, claimName) as (Claim & { metadata: { name: string } }) | undefined;
    const capacityBytes = bytes(claim?.status?.capacity?.storage ?? claim?.spec?.resources?.requests?.storage);
    if (!claim || capacityBytes <= 0) return err({ code: "unknown_target", message: `PersistentVolumeClaim ${ctx.namespace}/${claimName} is not bound to a volume yet` });
    const mountPath = pod.spec?.containers?.flatMap((c) => c.volumeMounts ?? []).find((m) => m.name === volume.name)?.mountPath ?? "/data";
    const state: State = { claim: claimName, mountPath, capacityBytes, startFraction: p.usedFraction, cleanup: claim.metadata.annotations?.[CLEANUP_ANNOTATION] };
    return ok({ state, own: [] });
  },
  effects(f, ctx) {
    if (!isTargetPod(f, ctx)) return [];
    return [{ type: "log", since: new Date(f.injectedAt), everyMs: 1_000, line: f.message ?? enospcLine(f.state, f.target) }];
  },
  modifiers(f, now) {
    // Reads keep working; the writes that need new space fail.
    return [{ service: f.target, modifier: { diskUsedBytes: usedBytes(f.state, now.getTime() - new Date(f.injectedAt).getTime()), errorRate: 0.08 } }];
  },
  judgeCure(f, view) {
    const claim = view.store.get("persistentvolumeclaims", f.namespace, f.state.claim) as Claim | undefined;
    if (!claim) return notYet;
    const cleaned = claim.metadata.annotations?.[CLEANUP_ANNOTATION] !== f.state.cleanup;
    // The data the fault wrote at its fullest must fit under 80 % of the volume the kubelet now sees.
    const expanded = bytes(claim.status?.capacity?.storage) * RELIEVED_BELOW > f.state.capacityBytes * FILL_TO;
    if (!cleaned && !expanded) return notYet;
    return curedBy(f, view, (m) => m.resource === "persistentvolumeclaims" && m.namespace === f.namespace && m.name === f.state.claim);
  },
});
