import type { LogArchive, LogStream } from "./log-archive.js";
import { matchesSelector, passesFilters, type LabelMatcher, type LogQuery } from "./logql.js";

export type { LogStream } from "./log-archive.js";

/** The one cluster a Loki endpoint reads: its log archive, at a moment. */
export interface LokiCluster {
  archive: Pick<LogArchive, "streams" | "lines">;
  now: Date;
}

export type Direction = "forward" | "backward";

export interface EntryQuery {
  /** Inclusive, unix nanoseconds. */
  startNs: bigint;
  /** Exclusive, unix nanoseconds. */
  endNs: bigint;
  limit: number;
  direction: Direction;
}

export interface StreamResult {
  stream: Record<string, string>;
  values: Array<[string, string]>;
}

const NS_PER_MS = 1_000_000n;

/** Every stream Loki holds now, deleted pods' included until their retention ends. */
export function listStreams(cluster: LokiCluster): LogStream[] {
  return cluster.archive.streams(cluster.now);
}

const atNs = (at: Date): bigint => BigInt(at.getTime()) * NS_PER_MS;

/** The stream's lines in [startNs, endNs), oldest first. */
function linesInRange(cluster: LokiCluster, s: LogStream, startNs: bigint, endNs: bigint): Array<{ ns: bigint; text: string }> {
  const lines = cluster.archive.lines(s, new Date(Number(startNs / NS_PER_MS)));
  const out: Array<{ ns: bigint; text: string }> = [];
  for (const l of lines) {
    const ns = atNs(l.at);
    if (ns >= startNs && ns < endNs) out.push({ ns, text: l.text });
  }
  return out;
}

/**
 * The lines a log query selects, with the limit applied across all streams in the chosen
 * direction (backward: the newest `limit` lines). Each stream's values follow the direction too.
 */
export function queryEntries(cluster: LokiCluster, query: LogQuery, q: EntryQuery): StreamResult[] {
  const streams = listStreams(cluster).filter((s) => matchesSelector(query.matchers, s.labels));
  const all: Array<{ stream: number; seq: number; ns: bigint; text: string }> = [];
  streams.forEach((s, i) => {
    linesInRange(cluster, s, q.startNs, q.endNs).forEach((l, seq) => {
      if (passesFilters(query.filters, l.text)) all.push({ stream: i, seq, ...l });
    });
  });
  const sign = q.direction === "forward" ? 1 : -1;
  all.sort((a, b) => sign * (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : a.stream - b.stream || a.seq - b.seq));
  const byStream = new Map<number, Array<[string, string]>>();
  for (const e of all.slice(0, q.limit)) {
    let values = byStream.get(e.stream);
    if (!values) byStream.set(e.stream, (values = []));
    values.push([e.ns.toString(), e.text]);
  }
  return [...byStream.entries()]
    .sort(([a], [b]) => a - b)
    .map(([i, values]) => ({ stream: (streams[i] as LogStream).labels, values }));
}

/** Streams with at least one line in [startNs, endNs), optionally narrowed by a selector. */
export function activeStreams(cluster: LokiCluster, startNs: bigint, endNs: bigint, matchers?: readonly LabelMatcher[]): LogStream[] {
  return listStreams(cluster).filter(
    (s) => (!matchers || matchesSelector(matchers, s.labels)) && linesInRange(cluster, s, startNs, endNs).length > 0,
  );
}
