import type { WatchEvent } from "../store/types.js";
import { sendFailure } from "./http-io.js";
import { present, selectorsOf } from "./resource-handlers.js";
import type { RequestContext } from "./request-context.js";
import type { Failure } from "./status.js";
import { includeObjectOf, toTable, wantsTable } from "./tables.js";

/** How often an idle watch gets a BOOKMARK when the client allows them. */
const BOOKMARK_EVERY_MS = 10_000;

/**
 * A watch as the API server streams it: one JSON event per line over a chunked response, from
 * the requested resourceVersion on; a version too old for the kept history is a 410 `ERROR`
 * event in the stream, after which clients re-list.
 */
export function watch(ctx: RequestContext): void {
  const sel = selectorsOf(ctx);
  if ("failure" in sel) return sendFailure(ctx.res, sel.failure as Failure);
  if (ctx.name !== undefined) {
    sel.fieldSelector = { requirements: [...sel.fieldSelector.requirements, { op: "=", key: "metadata.name", values: [ctx.name] }] };
  }
  const rvParam = ctx.url.searchParams.get("resourceVersion");
  const since = rvParam === null || rvParam === "" ? undefined : Number(rvParam);
  const table = wantsTable(ctx.req.headers.accept);
  const { res } = ctx;
  res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked", "cache-control": "no-cache, private" });
  res.flushHeaders();

  const write = (line: unknown) => {
    if (!res.writableEnded) res.write(`${JSON.stringify(line)}\n`);
  };
  const send = (e: WatchEvent) => {
    const object = table ? toTable(ctx.type.key, [present(ctx, e.object)], String(e.rv), ctx.now(), includeObjectOf(ctx.url)) : present(ctx, e.object);
    write({ type: e.type, object });
  };
  const started = ctx.cluster.store.watch(
    ctx.type.key,
    { ...(ctx.namespace !== undefined ? { namespace: ctx.namespace } : {}), ...sel, ...(since !== undefined && !Number.isNaN(since) ? { sinceRevision: since } : {}) },
    send,
  );
  if (!started.ok) {
    write({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: started.error.message, reason: "Expired", code: 410 } });
    res.end();
    return;
  }
  const stop = started.value;
  const timers: NodeJS.Timeout[] = [];
  const timeout = Number(ctx.url.searchParams.get("timeoutSeconds") ?? "0");
  // A real server ends every watch after a while (default 30-60 min) so clients re-establish.
  timers.push(setTimeout(() => res.end(), (timeout > 0 ? timeout : 1800) * 1000));
  if (ctx.url.searchParams.get("allowWatchBookmarks") === "true") {
    timers.push(
      setInterval(() => {
        write({ type: "BOOKMARK", object: { kind: ctx.type.kind, apiVersion: present(ctx, { apiVersion: "", kind: "", metadata: { name: "", uid: "", resourceVersion: "", creationTimestamp: "" } }).apiVersion, metadata: { resourceVersion: String(ctx.cluster.store.revision) } } });
      }, BOOKMARK_EVERY_MS),
    );
  }
  const cleanup = () => {
    stop();
    for (const t of timers) clearTimeout(t);
  };
  res.on("close", cleanup);
}
