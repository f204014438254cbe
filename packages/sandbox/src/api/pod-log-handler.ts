import type { LogLine } from "../runtime/container-logs.js";
import { sendFailure } from "./http-io.js";
import type { RequestContext } from "./request-context.js";
import { badRequest, fromStoreError } from "./status.js";

type Any = Record<string, unknown>;

const format = (l: LogLine, timestamps: boolean) => (timestamps ? `${l.at.toISOString()} ${l.text}\n` : `${l.text}\n`);

/** `GET pods/{name}/log`: a container's log as plain text, optionally followed as it grows. */
export function podLog(ctx: RequestContext): void {
  const { store, logs } = ctx.cluster;
  const pod = store.get("pods", ctx.namespace, ctx.name ?? "");
  if (!pod) {
    return sendFailure(ctx.res, fromStoreError({ code: "not_found", resource: "pods", name: ctx.name ?? "", message: `pods "${ctx.name}" not found` }, "Pod", ""));
  }
  const q = ctx.url.searchParams;
  const containers = ((pod.spec?.containers ?? []) as Any[]).map((c) => String(c.name));
  let container = q.get("container") ?? undefined;
  if (container === undefined) {
    if (containers.length !== 1) {
      return sendFailure(ctx.res, badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(" ")}]`));
    }
    container = containers[0];
  }
  if (!container || !containers.includes(container)) {
    return sendFailure(ctx.res, badRequest(`container ${container ?? ""} is not valid for pod ${pod.metadata.name}`));
  }
  const previous = q.get("previous") === "true";
  const intParam = (name: string) => (q.get(name) === null ? undefined : Number(q.get(name)));
  const sinceTime = q.get("sinceTime");
  const lines = logs.read(
    ctx.namespace ?? "",
    pod.metadata.name,
    container,
    {
      previous,
      ...(intParam("tailLines") !== undefined ? { tailLines: intParam("tailLines") } : {}),
      ...(intParam("sinceSeconds") !== undefined ? { sinceSeconds: intParam("sinceSeconds") } : {}),
      ...(sinceTime ? { sinceTime: new Date(sinceTime) } : {}),
    },
    ctx.now(),
  );
  if (lines === undefined) {
    const status = ((pod.status?.containerStatuses ?? []) as Any[]).find((c) => c.name === container);
    const waiting = (status?.state as Any | undefined)?.waiting as Any | undefined;
    if (previous) return sendFailure(ctx.res, badRequest(`previous terminated container "${container}" in pod "${pod.metadata.name}" not found`));
    return sendFailure(
      ctx.res,
      badRequest(`container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${String(waiting?.reason ?? "ContainerCreating")}`),
    );
  }
  const timestamps = q.get("timestamps") === "true";
  const limitBytes = intParam("limitBytes");
  let body = lines.map((l) => format(l, timestamps)).join("");
  if (limitBytes !== undefined) body = Buffer.from(body).subarray(0, limitBytes).toString();
  ctx.res.writeHead(200, { "content-type": "text/plain", "cache-control": "no-cache, private" });
  if (q.get("follow") !== "true" || previous) {
    ctx.res.end(body);
    return;
  }
  ctx.res.write(body);
  const ns = ctx.namespace ?? "";
  const name = pod.metadata.name;
  const unfollow = logs.follow((ref, line) => {
    if (ref.namespace === ns && ref.pod === name && ref.container === container) ctx.res.write(format(line, timestamps));
  });
  // The stream ends when the pod goes away, as kubelet's does.
  const stopWatch = store.watch("pods", { namespace: ns }, (e) => {
    if (e.type === "DELETED" && e.object.metadata.name === name) ctx.res.end();
  });
  ctx.res.on("close", () => {
    unfollow();
    if (stopWatch.ok) stopWatch.value();
  });
}
