import type { KubeObject, KubeObjectInput } from "../store/types.js";
import { apiVersionOf, resourceFor } from "../store/resources.js";
import { parseFieldSelector, parseLabelSelector } from "../store/selectors.js";
import type { DeleteOptions } from "../store/cluster-store.js";
import { applyDefaults } from "./defaults.js";
import { readBody, sendFailure, sendJson } from "./http-io.js";
import { classifyMutation } from "./mutation-classifier.js";
import { jsonPatch, mergePatch, patchTypeOf, strategicMergePatch } from "./patch.js";
import { isDryRun, type RequestContext } from "./request-context.js";
import { badRequest, fromStoreError, invalid, unsupportedMediaType, type Failure } from "./status.js";
import { includeObjectOf, toTable, wantsTable } from "./tables.js";
import { validateObject } from "./validation.js";

type Json = Parameters<typeof mergePatch>[0];

/** The object as a client reads it: with its kind and apiVersion. */
export function present(ctx: Pick<RequestContext, "type">, o: KubeObject): KubeObject {
  return { ...o, apiVersion: apiVersionOf(ctx.type), kind: ctx.type.kind };
}

function storeFailure(ctx: RequestContext, e: Parameters<typeof fromStoreError>[0]): Failure {
  return fromStoreError(e, ctx.type.kind, ctx.type.group);
}

/** Records a client's successful change in the mutation log, with the sandbox's reading of it. */
export function recordMutation(
  ctx: RequestContext,
  verb: "create" | "update" | "patch" | "delete" | "deletecollection",
  facts: { before?: KubeObject; after?: KubeObject; patch?: unknown; name?: string },
): void {
  ctx.mutations.record({
    at: ctx.now().toISOString(),
    cluster: ctx.cluster.name,
    verb,
    resource: ctx.type.plural,
    namespace: ctx.namespace ?? facts.after?.metadata.namespace ?? null,
    name: facts.name ?? ctx.name ?? facts.after?.metadata.name ?? null,
    ...(ctx.subresource ? { subresource: ctx.subresource } : {}),
    ...(facts.patch !== undefined ? { patch: facts.patch } : {}),
    user: ctx.who.user,
    action: classifyMutation(
      { verb, resource: ctx.type.key, ...(ctx.subresource ? { subresource: ctx.subresource } : {}), ...(facts.before ? { before: facts.before } : {}), ...(facts.after ? { after: facts.after } : {}) },
      ctx.cluster.store,
    ),
  });
}

/** Parses a JSON body into an object, or the 400 a real server gives. */
async function jsonBody(ctx: RequestContext): Promise<{ ok: true; value: unknown } | { ok: false; failure: Failure }> {
  const text = await readBody(ctx.req);
  if (text === undefined) return { ok: false, failure: { code: 413, body: badRequest("request entity too large").body } };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, failure: badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`) };
  }
}

function checkKindAndNamespace(ctx: RequestContext, body: unknown): Failure | KubeObjectInput {
  if (!body || typeof body !== "object" || Array.isArray(body)) return badRequest("the body of the request must be a JSON object");
  const obj = body as KubeObjectInput;
  if (obj.kind !== undefined && obj.kind !== ctx.type.kind) {
    return badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(ctx.type)})`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(ctx.type)) {
    return badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(ctx.type)})`);
  }
  if (!obj.metadata || typeof obj.metadata !== "object") obj.metadata = {};
  if (ctx.type.namespaced) {
    if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== ctx.namespace) {
      return badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    if (ctx.namespace !== undefined) obj.metadata.namespace = ctx.namespace;
  }
  obj.kind = ctx.type.kind;
  obj.apiVersion = apiVersionOf(ctx.type);
  return obj;
}

/**
 * Drops null fields, as decoding into the real API types does (Go clients send zero values as
 * null, e.g. `creationTimestamp: null` inside a pod template).
 */
export function dropNulls<T>(v: T): T {
  if (Array.isArray(v)) return v.map(dropNulls) as T;
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, dropNulls(x)])) as T;
  }
  return v;
}

const isFailure = (v: unknown): v is Failure => typeof v === "object" && v !== null && "body" in v && "code" in v && typeof (v as Failure).code === "number";

export function getOne(ctx: RequestContext): void {
  const o = ctx.cluster.store.get(ctx.type.key, ctx.namespace, ctx.name ?? "");
  if (!o) {
    sendFailure(ctx.res, storeFailure(ctx, { code: "not_found", resource: ctx.type.key, name: ctx.name ?? "", message: `${ctx.type.plural}${ctx.type.group ? `.${ctx.type.group}` : ""} "${ctx.name}" not found` }));
    return;
  }
  if (wantsTable(ctx.req.headers.accept)) sendJson(ctx.res, 200, toTable(ctx.type.key, [present(ctx, o)], o.metadata.resourceVersion, ctx.now(), includeObjectOf(ctx.url)));
  else sendJson(ctx.res, 200, present(ctx, o));
}

/** Label and field selectors of the query, or the 400 for a malformed one. */
export function selectorsOf(ctx: RequestContext) {
  const labels = parseLabelSelector(ctx.url.searchParams.get("labelSelector") ?? undefined);
  if (!labels.ok) return { failure: badRequest(`unable to parse requirement: ${labels.error}`) };
  const fields = parseFieldSelector(ctx.url.searchParams.get("fieldSelector") ?? undefined);
  if (!fields.ok) return { failure: badRequest(fields.error) };
  return { labelSelector: labels.value, fieldSelector: fields.value };
}

export function list(ctx: RequestContext): void {
  const sel = selectorsOf(ctx);
  if ("failure" in sel) return sendFailure(ctx.res, sel.failure as Failure);
  const { items, resourceVersion } = ctx.cluster.store.list(ctx.type.key, { ...(ctx.namespace !== undefined ? { namespace: ctx.namespace } : {}), ...sel });
  // Paging as the real server does for `limit`; the continue token carries the offset and revision.
  const limit = Number(ctx.url.searchParams.get("limit") ?? "0");
  const cont = ctx.url.searchParams.get("continue");
  let offset = 0;
  if (cont) {
    try {
      offset = (JSON.parse(Buffer.from(cont, "base64url").toString()) as { offset: number }).offset;
    } catch {
      return sendFailure(ctx.res, badRequest("continue key is not valid: illegal base64 data"));
    }
  }
  const page = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset);
  const more = limit > 0 && offset + limit < items.length;
  const metadata = {
    resourceVersion,
    ...(more ? { continue: Buffer.from(JSON.stringify({ offset: offset + limit, rv: resourceVersion })).toString("base64url"), remainingItemCount: items.length - offset - limit } : {}),
  };
  if (wantsTable(ctx.req.headers.accept)) {
    const table = toTable(ctx.type.key, page.map((o) => present(ctx, o)), resourceVersion, ctx.now(), includeObjectOf(ctx.url));
    sendJson(ctx.res, 200, { ...table, metadata });
    return;
  }
  sendJson(ctx.res, 200, {
    kind: `${ctx.type.kind}List`,
    apiVersion: apiVersionOf(ctx.type),
    metadata,
    items: page.map((o) => present(ctx, o)),
  });
}

export async function create(ctx: RequestContext): Promise<void> {
  const body = await jsonBody(ctx);
  if (!body.ok) return sendFailure(ctx.res, body.failure);
  const checked = checkKindAndNamespace(ctx, dropNulls(body.value));
  if (isFailure(checked)) return sendFailure(ctx.res, checked);
  const problems = validateObject(ctx.type, checked);
  if (problems.length) return sendFailure(ctx.res, invalid(ctx.type.kind, checked.metadata.name ?? "", problems));
  const dryRun = isDryRun(ctx.url);
  const created = ctx.cluster.store.create(ctx.type.key, applyDefaults(checked), { dryRun });
  if (!created.ok) return sendFailure(ctx.res, storeFailure(ctx, created.error));
  if (!dryRun) recordMutation(ctx, "create", { after: created.value, name: created.value.metadata.name });
  sendJson(ctx.res, 201, present(ctx, created.value));
}

export async function update(ctx: RequestContext): Promise<void> {
  const body = await jsonBody(ctx);
  if (!body.ok) return sendFailure(ctx.res, body.failure);
  const checked = checkKindAndNamespace(ctx, dropNulls(body.value));
  if (isFailure(checked)) return sendFailure(ctx.res, checked);
  if (checked.metadata.name !== ctx.name) return sendFailure(ctx.res, badRequest("the name of the object does not match the name on the URL"));
  const problems = validateObject(ctx.type, checked);
  if (problems.length) return sendFailure(ctx.res, invalid(ctx.type.kind, ctx.name ?? "", problems));
  const before = ctx.cluster.store.get(ctx.type.key, ctx.namespace, ctx.name ?? "");
  const dryRun = isDryRun(ctx.url);
  const updated = ctx.cluster.store.update(ctx.type.key, checked as KubeObject, {
    dryRun,
    ...(ctx.subresource === "status" ? { subresource: "status" as const } : {}),
  });
  if (!updated.ok) return sendFailure(ctx.res, storeFailure(ctx, updated.error));
  if (!dryRun) recordMutation(ctx, "update", { ...(before ? { before } : {}), after: updated.value });
  sendJson(ctx.res, 200, present(ctx, updated.value));
}

/** Applies a patch document of the request's type to an object. */
export async function patchedObject(ctx: RequestContext, current: KubeObject): Promise<{ ok: true; value: KubeObject; patch: unknown } | { ok: false; failure: Failure }> {
  const type = patchTypeOf(ctx.req.headers["content-type"]);
  if (!type || type === "apply") return { ok: false, failure: unsupportedMediaType(String(ctx.req.headers["content-type"] ?? "")) };
  const body = await jsonBody(ctx);
  if (!body.ok) return body;
  const patch = body.value as Json;
  let next: Json;
  if (type === "merge") {
    next = mergePatch(current as unknown as Json, patch);
  } else if (type === "strategic") {
    const r = strategicMergePatch(current as unknown as Json, patch);
    if (!r.ok) return { ok: false, failure: badRequest(r.error) };
    next = r.value;
  } else {
    const r = jsonPatch(current as unknown as Json, patch);
    if (!r.ok) return { ok: false, failure: { code: 422, body: invalid(ctx.type.kind, ctx.name ?? "", [{ message: r.error }]).body } };
    next = r.value;
  }
  if (!next || typeof next !== "object" || Array.isArray(next)) return { ok: false, failure: badRequest("the patch produced something that is not an object") };
  return { ok: true, value: dropNulls(next) as unknown as KubeObject, patch: body.value };
}

export async function patch(ctx: RequestContext): Promise<void> {
  const current = ctx.cluster.store.get(ctx.type.key, ctx.namespace, ctx.name ?? "");
  if (!current) {
    return sendFailure(ctx.res, storeFailure(ctx, { code: "not_found", resource: ctx.type.key, name: ctx.name ?? "", message: `${ctx.type.plural}${ctx.type.group ? `.${ctx.type.group}` : ""} "${ctx.name}" not found` }));
  }
  const patched = await patchedObject(ctx, present(ctx, current));
  if (!patched.ok) return sendFailure(ctx.res, patched.failure);
  const next = patched.value;
  if (next.metadata?.name !== current.metadata.name || (ctx.type.namespaced && next.metadata?.namespace !== current.metadata.namespace)) {
    return sendFailure(ctx.res, badRequest("a patch may not change an object's name or namespace"));
  }
  const problems = validateObject(ctx.type, next);
  if (problems.length) return sendFailure(ctx.res, invalid(ctx.type.kind, ctx.name ?? "", problems));
  // A resourceVersion in the patch is a precondition; otherwise the patch applies to the latest.
  const patchRv = ((patched.patch as { metadata?: { resourceVersion?: string } } | null)?.metadata ?? {}).resourceVersion;
  next.metadata.resourceVersion = patchRv ?? current.metadata.resourceVersion;
  const dryRun = isDryRun(ctx.url);
  const updated = ctx.cluster.store.update(ctx.type.key, next, { dryRun, ...(ctx.subresource === "status" ? { subresource: "status" as const } : {}) });
  if (!updated.ok) return sendFailure(ctx.res, storeFailure(ctx, updated.error));
  if (!dryRun) recordMutation(ctx, "patch", { before: current, after: updated.value, patch: patched.patch });
  sendJson(ctx.res, 200, present(ctx, updated.value));
}

async function deleteOptions(ctx: RequestContext): Promise<{ ok: true; value: DeleteOptions } | { ok: false; failure: Failure }> {
  const text = await readBody(ctx.req);
  let body: Record<string, unknown> = {};
  if (text && text.trim() !== "") {
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      return { ok: false, failure: badRequest(`DeleteOptions is not valid JSON: ${(e as Error).message}`) };
    }
  }
  const q = ctx.url.searchParams;
  const grace = q.get("gracePeriodSeconds") ?? (body.gracePeriodSeconds as number | undefined);
  const policy = q.get("propagationPolicy") ?? (body.propagationPolicy as string | undefined) ?? (body.orphanDependents === true ? "Orphan" : undefined);
  if (policy !== undefined && !["Background", "Foreground", "Orphan"].includes(policy)) {
    return { ok: false, failure: badRequest(`propagationPolicy: Unsupported value: "${policy}"`) };
  }
  const dryRun = isDryRun(ctx.url) || (Array.isArray(body.dryRun) && body.dryRun.includes("All"));
  return {
    ok: true,
    value: {
      dryRun,
      ...(grace !== undefined && grace !== null ? { gracePeriodSeconds: Number(grace) } : {}),
      ...(policy ? { propagationPolicy: policy as "Background" | "Foreground" | "Orphan" } : {}),
      ...(body.preconditions ? { preconditions: body.preconditions as DeleteOptions["preconditions"] } : {}),
    },
  };
}

export async function remove(ctx: RequestContext): Promise<void> {
  const opts = await deleteOptions(ctx);
  if (!opts.ok) return sendFailure(ctx.res, opts.failure);
  const before = ctx.cluster.store.get(ctx.type.key, ctx.namespace, ctx.name ?? "");
  const r = ctx.cluster.store.delete(ctx.type.key, ctx.namespace, ctx.name ?? "", opts.value);
  if (!r.ok) return sendFailure(ctx.res, storeFailure(ctx, r.error));
  if (!opts.value.dryRun) recordMutation(ctx, "delete", { ...(before ? { before } : {}), name: ctx.name ?? "" });
  sendJson(ctx.res, 200, present(ctx, r.value));
}

export async function removeCollection(ctx: RequestContext): Promise<void> {
  const sel = selectorsOf(ctx);
  if ("failure" in sel) return sendFailure(ctx.res, sel.failure as Failure);
  const opts = await deleteOptions(ctx);
  if (!opts.ok) return sendFailure(ctx.res, opts.failure);
  const { items } = ctx.cluster.store.list(ctx.type.key, { ...(ctx.namespace !== undefined ? { namespace: ctx.namespace } : {}), ...sel });
  for (const o of items) {
    const r = ctx.cluster.store.delete(ctx.type.key, o.metadata.namespace, o.metadata.name, opts.value);
    if (r.ok && !opts.value.dryRun) recordMutation({ ...ctx, name: o.metadata.name }, "delete", { before: o, name: o.metadata.name });
  }
  sendJson(ctx.res, 200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { kind: ctx.type.plural, group: ctx.type.group } });
}

export { resourceFor };
