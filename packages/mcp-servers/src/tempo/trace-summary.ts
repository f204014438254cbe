import type { Attr, FlatSpan } from "./otlp.js";

/**
 * What a model needs from one trace: where it entered, how long it took, which spans were
 * slowest and which failed (and where the failure started), and the chain of spans that set
 * its duration. Pure.
 */

export type SpanRef = { service: string; name: string; durationMs: number; startOffsetMs: number };
/** Failing spans alike (service, name, status, message) counted together; `origin`: none of its children failed, so the failure starts here. */
export type FailingSpan = SpanRef & { statusCode: Attr | undefined; message: string | undefined; origin: boolean; count: number };
export type PathStep = SpanRef & { depth: number };

export type TraceSummary = {
  rootService: string;
  rootOperation: string;
  start: string;
  durationMs: number;
  spanCount: number;
  services: Record<string, number>;
  slowest: Array<SpanRef & { selfMs: number }>;
  failing: FailingSpan[];
  criticalPath: PathStep[];
  tree: string[];
};

const round = (ms: number) => Math.round(ms * 100) / 100;

export function summariseTrace(spans: readonly FlatSpan[], o: { slowest: number; failing: number; treeLines: number }): TraceSummary {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map<string, FlatSpan[]>();
  const roots: FlatSpan[] = [];
  for (const s of spans) {
    // A parent missing from the trace (not yet flushed, sampled away) makes its child a root.
    if (s.parentSpanId && byId.has(s.parentSpanId)) children.set(s.parentSpanId, [...(children.get(s.parentSpanId) ?? []), s]);
    else roots.push(s);
  }
  for (const list of children.values()) list.sort((a, b) => a.startMs - b.startMs);
  roots.sort((a, b) => a.startMs - b.startMs);
  const root = roots[0];
  const t0 = Math.min(...spans.map((s) => s.startMs));
  const t1 = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  const ref = (s: FlatSpan): SpanRef => ({ service: s.service, name: s.name, durationMs: round(s.durationMs), startOffsetMs: round(s.startMs - t0) });

  const services: Record<string, number> = {};
  for (const s of spans) services[s.service] = (services[s.service] ?? 0) + 1;

  const selfMs = (s: FlatSpan) => Math.max(0, s.durationMs - covered(children.get(s.spanId) ?? [], s));
  const slowest = [...spans]
    .sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, o.slowest)
    .map((s) => ({ ...ref(s), selfMs: round(selfMs(s)) }));

  const failingGroups = new Map<string, FailingSpan>();
  for (const s of spans) {
    if (!s.error) continue;
    const f = {
      ...ref(s),
      statusCode: s.attributes["http.status_code"] ?? s.attributes["http.response.status_code"] ?? s.attributes["rpc.grpc.status_code"],
      message: s.statusMessage ?? (typeof s.attributes.error === "string" ? s.attributes.error : undefined) ?? (s.attributes["exception.message"] as string | undefined),
      origin: !(children.get(s.spanId) ?? []).some((c) => c.error),
      count: 1,
    };
    const key = JSON.stringify([f.service, f.name, f.statusCode, f.message, f.origin]);
    const seen = failingGroups.get(key);
    if (seen) seen.count++;
    else failingGroups.set(key, f);
  }
  const failing = [...failingGroups.values()].sort((a, b) => Number(b.origin) - Number(a.origin) || a.startOffsetMs - b.startOffsetMs).slice(0, o.failing);

  // The critical path: walking back from a span's end, the child that finished last before the
  // cursor held it up; then the one that finished before that child started, and so on.
  const criticalPath: PathStep[] = [];
  const visit = (s: FlatSpan, depth: number, guard: Set<string>) => {
    if (guard.has(s.spanId) || criticalPath.length >= 50) return;
    guard.add(s.spanId);
    criticalPath.push({ ...ref(s), depth });
    const kids = children.get(s.spanId) ?? [];
    const chain: FlatSpan[] = [];
    let cursor = s.startMs + s.durationMs + 1e-6;
    for (;;) {
      const next = kids.reduce<FlatSpan | undefined>((best, k) => {
        const end = k.startMs + k.durationMs;
        return end <= cursor && !chain.includes(k) && (!best || end > best.startMs + best.durationMs) ? k : best;
      }, undefined);
      if (!next) break;
      chain.push(next);
      cursor = next.startMs;
    }
    for (const k of chain.reverse()) visit(k, depth + 1, guard);
  };
  if (root) visit(root, 0, new Set());

  const tree: string[] = [];
  const walk = (s: FlatSpan, depth: number) => {
    if (tree.length >= o.treeLines || depth > 30) return;
    tree.push(`${"  ".repeat(depth)}${s.service}: ${s.name} ${round(s.durationMs)}ms${s.error ? " ERROR" : ""}`);
    for (const c of children.get(s.spanId) ?? []) walk(c, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  if (spans.length > tree.length) tree.push(`… ${spans.length - tree.length} more spans`);

  return {
    rootService: root?.service ?? "",
    rootOperation: root?.name ?? "",
    start: new Date(t0).toISOString(),
    durationMs: round(t1 - t0),
    spanCount: spans.length,
    services,
    slowest,
    failing,
    criticalPath,
    tree,
  };
}

/** How much of the parent's time its children cover (overlaps counted once). */
function covered(kids: readonly FlatSpan[], parent: FlatSpan): number {
  const start = parent.startMs;
  const end = parent.startMs + parent.durationMs;
  const spans = kids.map((k) => [Math.max(start, k.startMs), Math.min(end, k.startMs + k.durationMs)] as const).filter(([a, b]) => b > a).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [a, b] of spans) {
    if (a > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = a;
      curEnd = b;
    } else curEnd = Math.max(curEnd, b);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

export function traceSummaryText(traceId: string, s: TraceSummary): string {
  const out = [
    `trace ${traceId}: ${s.rootService} ${s.rootOperation}, ${s.durationMs}ms, ${s.spanCount} spans across ${Object.keys(s.services).length} services (${Object.entries(s.services).map(([k, n]) => `${k} ${n}`).join(", ")}), started ${s.start}`,
  ];
  if (s.failing.length) {
    out.push("failing spans (where a failure starts first):");
    for (const f of s.failing) {
      const what = `${f.service}: ${f.name}${f.statusCode !== undefined ? ` status ${f.statusCode}` : ""}${f.message ? ` — ${f.message}` : ""}`;
      out.push(`  ${f.origin ? "starts here" : "propagated "} ${f.count > 1 ? `${f.count}× ` : ""}${what} (${f.durationMs}ms)`);
    }
  } else out.push("no failing spans");
  out.push("slowest spans (duration, own time outside children):");
  for (const x of s.slowest) out.push(`  ${x.durationMs}ms (self ${x.selfMs}ms) ${x.service}: ${x.name}`);
  out.push("critical path (the spans that set the duration, nested by caller):");
  for (const p of s.criticalPath) out.push(`  ${"  ".repeat(p.depth)}${p.service}: ${p.name} ${p.durationMs}ms at +${p.startOffsetMs}ms`);
  return out.join("\n");
}
