import { labelSelectorFromSpec, matchesLabels } from "../store/selectors.js";
import type { KubeObject } from "../store/types.js";
import { readBody, sendFailure, sendJson } from "./http-io.js";
import { patchedObject, recordMutation } from "./resource-handlers.js";
import { isDryRun, type RequestContext } from "./request-context.js";
import { badRequest, fromStoreError, invalid, tooManyRequests } from "./status.js";

type Any = Record<string, unknown>;

function notFound(ctx: RequestContext) {
  return fromStoreError(
    { code: "not_found", resource: ctx.type.key, name: ctx.name ?? "", message: `${ctx.type.plural}${ctx.type.group ? `.${ctx.type.group}` : ""} "${ctx.name}" not found` },
    ctx.type.kind,
    ctx.type.group,
  );
}

/** The autoscaling/v1 Scale view of a workload. */
function scaleOf(o: KubeObject): Any {
  const selector = labelSelectorFromSpec(o.spec?.selector);
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: {
      replicas: (o.status?.replicas as number | undefined) ?? 0,
      selector: selector.requirements.map((r) => `${r.key}=${r.values[0] ?? ""}`).join(","),
    },
  };
}

/** GET, PUT and PATCH on `{deployments,statefulsets,replicasets}/{name}/scale`. */
export async function scale(ctx: RequestContext, method: string): Promise<void> {
  const current = ctx.cluster.store.get(ctx.type.key, ctx.namespace, ctx.name ?? "");
  if (!current) return sendFailure(ctx.res, notFound(ctx));
  if (method === "GET") return sendJson(ctx.res, 200, scaleOf(current));
  let replicas: unknown;
  let patchDoc: unknown;
  if (method === "PUT") {
    const text = (await readBody(ctx.req)) ?? "";
    try {
      const body = JSON.parse(text) as Any;
      replicas = (body.spec as Any | undefined)?.replicas;
      const rv = (body.metadata as Any | undefined)?.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) {
        return sendFailure(ctx.res, fromStoreError({ code: "conflict", resource: ctx.type.key, name: ctx.name ?? "", message: `Operation cannot be fulfilled on ${ctx.type.plural}.${ctx.type.group} "${ctx.name}": the object has been modified; please apply your changes to the latest version and try again` }, ctx.type.kind, ctx.type.group));
      }
    } catch (e) {
      return sendFailure(ctx.res, badRequest(`json parse error: ${(e as Error).message}`));
    }
  } else {
    const patched = await patchedObject(ctx, scaleOf(current) as unknown as KubeObject);
    if (!patched.ok) return sendFailure(ctx.res, patched.failure);
    replicas = patched.value.spec?.replicas;
    patchDoc = patched.patch;
  }
  if (!Number.isInteger(replicas) || (replicas as number) < 0) {
    return sendFailure(ctx.res, invalid("Scale", ctx.name ?? "", [{ field: "spec.replicas", message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]));
  }
  const dryRun = isDryRun(ctx.url);
  const next = structuredClone(current);
  next.spec = { ...(next.spec ?? {}), replicas };
  const updated = ctx.cluster.store.update(ctx.type.key, next, { dryRun });
  if (!updated.ok) return sendFailure(ctx.res, fromStoreError(updated.error, ctx.type.kind, ctx.type.group));
  if (!dryRun) recordMutation(ctx, method === "PUT" ? "update" : "patch", { before: current, after: updated.value, ...(patchDoc !== undefined ? { patch: patchDoc } : {}) });
  sendJson(ctx.res, 200, scaleOf(updated.value));
}

/**
 * `POST pods/{name}/eviction`: deletes the pod gracefully unless a PodDisruptionBudget forbids
 * it, answering 429 as the real server does (drain then waits and retries).
 */
export async function evict(ctx: RequestContext): Promise<void> {
  const { store } = ctx.cluster;
  const pod = store.get("pods", ctx.namespace, ctx.name ?? "");
  if (!pod) return sendFailure(ctx.res, notFound(ctx));
  const text = (await readBody(ctx.req)) ?? "";
  let body: Any;
  try {
    body = text ? (JSON.parse(text) as Any) : {};
  } catch (e) {
    return sendFailure(ctx.res, badRequest(`json parse error: ${(e as Error).message}`));
  }
  const deleteOptions = (body.deleteOptions ?? {}) as Any;
  const dryRun = isDryRun(ctx.url) || (Array.isArray(deleteOptions.dryRun) && deleteOptions.dryRun.includes("All"));
  for (const pdb of store.list("policy/poddisruptionbudgets", { namespace: ctx.namespace ?? "" }).items) {
    const selector = labelSelectorFromSpec(pdb.spec?.selector);
    if (!matchesLabels(selector, pod.metadata.labels)) continue;
    const healthy = store
      .list("pods", { namespace: ctx.namespace ?? "", labelSelector: selector })
      .items.filter((p) => ((p.status?.conditions ?? []) as Any[]).some((c) => c.type === "Ready" && c.status === "True")).length;
    const minAvailable = typeof pdb.spec?.minAvailable === "number" ? pdb.spec.minAvailable : undefined;
    const maxUnavailable = typeof pdb.spec?.maxUnavailable === "number" ? pdb.spec.maxUnavailable : undefined;
    const total = store.list("pods", { namespace: ctx.namespace ?? "", labelSelector: selector }).items.length;
    const allowed = minAvailable !== undefined ? healthy - minAvailable : maxUnavailable !== undefined ? maxUnavailable - (total - healthy) : 1;
    if (allowed <= 0) {
      return sendFailure(ctx.res, tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget."));
    }
  }
  const grace = deleteOptions.gracePeriodSeconds;
  const r = store.delete("pods", ctx.namespace, ctx.name ?? "", { dryRun, ...(typeof grace === "number" ? { gracePeriodSeconds: grace } : {}) });
  if (!r.ok) return sendFailure(ctx.res, fromStoreError(r.error, "Pod", ""));
  if (!dryRun) recordMutation(ctx, "create", { before: pod, name: pod.metadata.name });
  sendJson(ctx.res, 201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
}
