import { K8sName, sendJson, type AuditStore, type Logger } from "@autodevops/shared";
import { z } from "zod";
import { callRead, type ReadToolbox } from "../../agent/read-tools.js";
import { redactToolText } from "../../agent/tool-events.js";
import type { RequestContext, Route } from "../router.js";

/** The most lines one answer carries, and the longest line shown (a line is cut, never dropped). */
export const MAX_LOG_LINES = 500;
const MAX_LINE_CHARS = 2_000;

/** The tail of one container's log (or of its previous run), as `pod_logs` reads it. */
export const PodLogQuery = z.strictObject({
  cluster: K8sName,
  namespace: K8sName,
  pod: K8sName,
  container: K8sName.optional(),
  previous: z.stringbool().default(false),
  tail: z.coerce.number().int().min(1).max(MAX_LOG_LINES).default(200),
});
export type PodLogQuery = z.infer<typeof PodLogQuery>;

/** A LogQL query over the last `since` minutes, as `loki_query_range` reads it. */
export const LokiLogQuery = z.strictObject({
  // The citations of a Loki answer carry the cluster in their label only; prod is CONTRACTS' default cluster.
  cluster: K8sName.default("prod"),
  query: z.string().trim().min(1).max(2_000),
  since: z.coerce.number().int().min(1).max(360).default(30),
  limit: z.coerce.number().int().min(1).max(MAX_LOG_LINES).default(200),
});
export type LokiLogQuery = z.infer<typeof LokiLogQuery>;

export type LogsQuery = ({ kind: "pod" } & PodLogQuery) | ({ kind: "loki" } & LokiLogQuery);

/** Which log a request asks for: a pod's (`pod=`) or a LogQL query's (`query=`), never both. */
export function parseLogsQuery(params: URLSearchParams): { ok: true; value: LogsQuery } | { ok: false; error: string } {
  const raw = Object.fromEntries(params);
  const issues = (e: z.ZodError) => e.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
  if ("query" in raw && "pod" in raw) return { ok: false, error: "ask for a pod's log (pod=) or a LogQL query (query=), not both" };
  if ("query" in raw) {
    const q = LokiLogQuery.safeParse(raw);
    return q.success ? { ok: true, value: { kind: "loki", ...q.data } } : { ok: false, error: issues(q.error) };
  }
  if ("pod" in raw) {
    const q = PodLogQuery.safeParse(raw);
    return q.success ? { ok: true, value: { kind: "pod", ...q.data } } : { ok: false, error: issues(q.error) };
  }
  return { ok: false, error: "which log? Give cluster, namespace and pod (and optionally container, previous, tail), or a LogQL query (query, optionally cluster, since, limit)" };
}

// Only the fields read here of each tool's structured output.
const PodLogOut = z.object({ pod: z.string(), container: z.string(), previous: z.boolean(), truncated: z.boolean().default(false), log: z.string() });
const LokiOut = z.object({
  query: z.string(),
  start: z.string(),
  end: z.string(),
  lines: z.number(),
  omittedLines: z.number().default(0),
  newest: z.array(z.object({ labels: z.string(), newest: z.array(z.object({ at: z.string(), line: z.string() })) })).default([]),
});

export interface LogLine {
  ts?: string;
  pod?: string;
  line: string;
}

export interface LogsAnswer {
  source: "kubernetes" | "loki";
  query: Record<string, unknown>;
  lines: LogLine[];
  /** Lines the tool read but left out of its answer (Loki summarises). */
  omitted?: number;
}

/** Credentials in a log line are blanked before it leaves the server. */
const shown = (line: string) => redactToolText(line, MAX_LINE_CHARS);

/** The log asked for, read through the toolbox's read tools only. */
async function readLogs(tools: ReadToolbox, q: LogsQuery, signal: AbortSignal): Promise<{ ok: true; value: LogsAnswer } | { ok: false; error: string }> {
  if (q.kind === "pod") {
    const args = { cluster: q.cluster, namespace: q.namespace, pod: q.pod, ...(q.container ? { container: q.container } : {}), previous: q.previous, tailLines: q.tail };
    const r = await callRead(tools, "pod_logs", args, PodLogOut, signal);
    if (!r.ok) return { ok: false, error: r.error.message };
    const lines = r.value.data.log.split("\n").filter((l) => l !== "").slice(-q.tail).map((line) => ({ line: shown(line) }));
    const { kind: _kind, ...asked } = q;
    return { ok: true, value: { source: "kubernetes", query: { ...asked, container: r.value.data.container }, lines } };
  }
  const r = await callRead(tools, "loki_query_range", { cluster: q.cluster, query: q.query, since: `${q.since}m`, limit: q.limit, linesPerStream: 50 }, LokiOut, signal);
  if (!r.ok) return { ok: false, error: r.error.message };
  const d = r.value.data;
  const lines = d.newest
    .flatMap((s) => {
      const pod = /\bpod="([^"]*)"/.exec(s.labels)?.[1];
      return s.newest.map((l) => ({ ts: l.at, ...(pod ? { pod } : {}), line: shown(l.line) }));
    })
    .sort((a, b) => a.ts.localeCompare(b.ts))
    .slice(-q.limit);
  const { kind: _kind, ...asked } = q;
  return { ok: true, value: { source: "loki", query: { ...asked, start: d.start, end: d.end }, lines, omitted: d.omittedLines } };
}

/** `GET /api/logs`: a pod's log or a LogQL query's lines, for the Logs page that log citations open. */
export function logsRoutes(d: { tools: ReadToolbox; audit: AuditStore; log: Logger }): Route[] {
  const reject = async (ctx: RequestContext, error: string) => {
    d.log.warn({ who: ctx.principal.user.name, error }, "log request refused");
    await d.audit.append({ actor: "jamie", type: "input.rejected", data: { path: ctx.url.pathname, method: "GET", who: ctx.principal.user.name, status: 400, error } }).catch(() => undefined);
    sendJson(ctx.res, 400, { error });
  };
  return [
    {
      method: "GET",
      path: /^\/api\/logs$/,
      role: "viewer",
      async handler(ctx) {
        const q = parseLogsQuery(ctx.url.searchParams);
        if (!q.ok) return reject(ctx, q.error);
        const r = await readLogs(d.tools, q.value, AbortSignal.timeout(20_000));
        if (!r.ok) {
          d.log.warn({ kind: q.value.kind, cluster: q.value.cluster, error: r.error }, "log read failed");
          return sendJson(ctx.res, 502, { error: `could not read the log: ${redactToolText(r.error, 500)}` });
        }
        sendJson(ctx.res, 200, r.value);
      },
    },
  ];
}
