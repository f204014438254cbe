import { z } from "zod";
import { err, ok } from "@autodevops/shared";
import { imageRepository, imageTag } from "../../controllers/image-ref.js";
import { appLine } from "../../controllers/app-log-lines.js";
import { CHANGE_CAUSE } from "../../estate/workload-objects.js";
import { simMs } from "../../sim-time.js";
import { CRASH_AFTER_S, crashEffect } from "../fault-effects.js";
import { defineFault, type FaultCluster, type InjectContext, type KindFault } from "../kind-def.js";
import { curedBy, notYet, onTargetWorkload } from "../cure-rules.js";
import { comparableTemplate, containersOf, findWorkload, isTargetPod, targetWorkload, templateOf } from "../workload-state.js";
import { by, message, tag } from "./params.js";

type Json = Record<string, unknown>;

/** The template before the fault's rollout: a rollback brings it back, and only that cures. */
type State = { previousTemplate: Json; previousChangeCause: string | undefined; badImage?: string; badPath?: string; mode?: "crash" | "errors" };

/** 1.4.2 → 1.4.3: the next patch release, as CI would tag it. */
function nextTag(t: string): string {
  const m = /^(v?)(\d+)\.(\d+)\.(\d+)$/.exec(t);
  return m ? `${m[1]}${m[2]}.${m[3]}.${Number(m[4]) + 1}` : `${t}-next`;
}

/**
 * Rolls out a new revision of the target Deployment as CI would (a patch recorded as `by`,
 * change-cause set): a new image, or a new readiness path. The kinds differ in what is wrong
 * with the revision; all are cured by bringing the previous template back.
 */
function rolloutChange(ctx: InjectContext, p: { by?: string | undefined; tag?: string | undefined }, change: { image: (current: string) => string } | { readinessPath: string }) {
  const w = targetWorkload(ctx.cluster.store, { cluster: ctx.cluster.name, namespace: ctx.namespace, target: ctx.target });
  if (!w.ok) return w;
  if (w.value.ref.resource !== "apps/deployments") return err({ code: "unknown_target" as const, message: `this fault needs a Deployment; ${ctx.namespace}/${ctx.target} is a StatefulSet` });
  const previousTemplate = templateOf(w.value.object);
  const previousChangeCause = w.value.object.metadata.annotations?.[CHANGE_CAUSE];
  let badImage: string | undefined;
  let badPath: string | undefined;
  if ("image" in change) badImage = change.image(w.value.first.image ?? "");
  else {
    if (!w.value.first.readinessProbe?.httpGet) return err({ code: "unknown_target" as const, message: `probe-failure needs an HTTP readiness probe; ${ctx.namespace}/${ctx.target} has none` });
    badPath = change.readinessPath;
  }
  const cause = badPath !== undefined ? `deploy readiness path ${badPath}` : `deploy ${imageTag(badImage ?? "")}`;
  const written = ctx.cluster.store.mutate("apps/deployments", ctx.namespace, ctx.target, (d) => {
    const c = containersOf((d.spec?.template ?? {}) as Json)[0];
    if (!c) return false;
    if (badPath !== undefined) c.readinessProbe = { ...c.readinessProbe, httpGet: { ...c.readinessProbe?.httpGet, path: badPath } };
    else c.image = badImage;
    d.metadata.annotations = { ...d.metadata.annotations, [CHANGE_CAUSE]: cause };
  });
  if (!written.ok) return err({ code: "unknown_target" as const, message: written.error.message });
  const own = ctx.record(p.by, { verb: "patch", resource: "deployments", name: ctx.target, action: null });
  const state: State = { previousTemplate, previousChangeCause, ...(badImage !== undefined ? { badImage } : {}), ...(badPath !== undefined ? { badPath } : {}) };
  return ok({ state, own: [own] });
}

const withTag = (t: string | undefined, fallback: (current: string) => string) => (image: string) => `${imageRepository(image)}:${t ?? fallback(imageTag(image))}`;

function rolledBack(f: KindFault<State>, view: Parameters<typeof curedBy>[1]) {
  const w = findWorkload(view.store, f.namespace, f.target);
  if (!w || comparableTemplate(templateOf(w.object)) !== comparableTemplate(f.state.previousTemplate)) return notYet;
  return curedBy(f, view, onTargetWorkload(f));
}

function restorePrevious(f: KindFault<State>, cluster: FaultCluster) {
  if (f.cured) return;
  cluster.store.mutate("apps/deployments", f.namespace, f.target, (d) => {
    d.spec = { ...d.spec, template: structuredClone(f.state.previousTemplate) };
    const annotations = { ...d.metadata.annotations };
    if (f.state.previousChangeCause === undefined) delete annotations[CHANGE_CAUSE];
    else annotations[CHANGE_CAUSE] = f.state.previousChangeCause;
    d.metadata.annotations = annotations;
  });
}

/** A tag nobody built: new pods ImagePullBackOff, the rollout stalls. */
export const imagePull = defineFault({
  params: z.strictObject({ message, by, tag }),
  inject: (ctx, p) => {
    const r = rolloutChange(ctx, p, { image: withTag(p.tag, (t) => `${nextTag(t)}-rc.1`) });
    return r.ok && r.value.state.badImage !== undefined ? ok({ ...r.value, badImage: r.value.state.badImage }) : r;
  },
  judgeCure: rolledBack,
  undo: restorePrevious,
});

/** Share of the new revision's requests that fail in mode "errors". */
export const BAD_REVISION_ERROR_RATE = 0.3;

/** A handler bug of the new release, as its structured logger reports it: one line, the stack in a field. */
function handlerError(service: string, at: Date): string {
  return appLine(service, "error", at, "unhandled error in request handler", {
    method: "POST",
    path: `/api/${service}`,
    status: 500,
    error: 'pq: column "discount_code" of relation "orders" does not exist',
    stacktrace: [
      `main.(*Server).handle${service.charAt(0).toUpperCase()}${service.slice(1)}`,
      "\t/src/internal/server/handlers.go:214",
      "net/http.HandlerFunc.ServeHTTP",
      "\t/usr/local/go/src/net/http/server.go:2166",
      "main.(*Server).withRecovery.func1",
      "\t/src/internal/server/middleware.go:58",
    ].join("\n"),
  });
}

/**
 * A new release that is wrong: its pods crash (mode "crash"), or stay Running and Ready but fail
 * 30 % of their requests with 500 and a stack trace in their logs (mode "errors"). The errors are
 * tied to the new image, so endpoints that still hold old pods mid-rollout fail less, a restart of
 * the bad revision keeps failing, and only a rollback ends it.
 */
export const badRollout = defineFault({
  params: z.strictObject({ message, by, mode: z.enum(["crash", "errors"]).default("crash"), tag }),
  inject: (ctx, p) => {
    const r = rolloutChange(ctx, p, { image: withTag(p.tag, nextTag) });
    return r.ok ? ok({ ...r.value, state: { ...r.value.state, mode: p.mode } }) : r;
  },
  effects(f, ctx) {
    if (!isTargetPod(f, ctx) || f.state.badImage === undefined || ctx.container.image !== f.state.badImage) return [];
    if (f.state.mode === "errors") {
      return [{ type: "log", since: new Date(f.injectedAt), everyMs: simMs(15), line: "", render: (at) => f.message ?? handlerError(ctx.container.name, at) }];
    }
    return [crashEffect(f, CRASH_AFTER_S, { exitCode: 1, reason: "Error" }, 'panic: config: required setting "FEATURE_CHECKOUT_V2_ENDPOINT" is not set')];
  },
  modifiers(f) {
    if (f.state.mode !== "errors" || f.state.badImage === undefined) return [];
    return [{ service: f.target, modifier: { errorRate: BAD_REVISION_ERROR_RATE, errorImage: f.state.badImage } }];
  },
  judgeCure: rolledBack,
  undo: restorePrevious,
});

/** A rollout that changes the readiness path to one the app does not serve: pods never Ready. */
export const probeFailure = defineFault({
  params: z.strictObject({ message, by, path: z.string().startsWith("/").optional() }),
  inject: (ctx, p) => rolloutChange(ctx, p, { readinessPath: p.path ?? "/health/ready" }),
  effects(f, ctx) {
    const path = f.state.badPath;
    if (!isTargetPod(f, ctx) || path === undefined) return [];
    return [{ type: "probe-fail", path, line: f.message ?? `level=warn msg="no route" method=GET path=${path} status=404` }];
  },
  judgeCure: rolledBack,
  undo: restorePrevious,
});
