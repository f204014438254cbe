import type { ContainerLogs } from "../runtime/container-logs.js";
import type { ClusterStore } from "../store/cluster-store.js";
import { matchesSelector, passesFilters, type LabelMatcher, type LogQuery } from "./logql.js";

/** The one cluster a Loki endpoint reads. */
export interface LokiCluster {
  name: string;
  store: Pick<ClusterStore, "list">;
  logs: Pick<ContainerLogs, "read">;
}

/** One container's log stream, with the labels Loki indexes it by. */
export interface LogStream {
  labels: Record<string, string>;
  namespace: string;
  pod: string;
  container: string;
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

function containerNames(spec: Record<string, unknown> | undefined): string[] {
  const names: string[] = [];
  for (const key of ["initContainers", "containers"]) {
    const list = spec?.[key];
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      const name = (c as { name?: unknown } | null)?.name;
      if (typeof name === "string" && name) names.push(name);
    }
  }
  return names;
}

/** Every container of every pod the store holds now; a deleted pod has no stream. */
export function listStreams(cluster: LokiCluster): LogStream[] {
  const streams: LogStream[] = [];
  for (const pod of cluster.store.list("pods").items) {
    const namespace = pod.metadata.namespace ?? "default";
    const name = pod.metadata.name;
    const app = pod.metadata.labels?.app;
    const node = pod.spec?.nodeName;
    for (const container of containerNames(pod.spec)) {
      const labels: Record<string, string> = { cluster: cluster.name, namespace, pod: name, container };
      if (app) labels.app = app;
      if (typeof node === "string" && node) labels.node = node;
      streams.push({ labels, namespace, pod: name, container });
    }
  }
  return streams;
}

const atNs = (at: Date): bigint => BigInt(at.getTime()) * NS_PER_MS;

/** The stream's lines in [startNs, endNs), oldest first. */
function linesInRange(cluster: LokiCluster, s: LogStream, startNs: bigint, endNs: bigint): Array<{ ns: bigint; text: string }> {
  const sinceTime = new Date(Number(startNs / NS_PER_MS));
  const lines = cluster.logs.read(s.namespace, s.pod, s.container, { sinceTime }) ?? [];
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
