import type { ContainerLogs, LogLine } from "../runtime/container-logs.js";
import type { ClusterStore } from "../store/cluster-store.js";

/** One container's log stream, with the labels Loki indexes it by. */
export interface LogStream {
  labels: Record<string, string>;
  namespace: string;
  pod: string;
  container: string;
}

type Archived = LogStream & { lines: LogLine[]; lastAt: number };

/** Lines kept per stream, and how long a stream with no new line is kept (wall time; 10 sim-hours). */
const MAX_LINES_PER_STREAM = 10_000;
const RETAIN_MS = 60 * 60_000;

/**
 * What Loki holds for one cluster: every line the containers write, shipped as it is written (as
 * promtail does), labelled from the pod at that moment. Unlike the kubelet's logs it outlives
 * restarts and deleted pods, so a crash's panic can be read after the cure replaced the pod.
 */
export class LogArchive {
  readonly #streams = new Map<string, Archived>();

  constructor(
    private readonly cluster: { name: string; store: Pick<ClusterStore, "get">; logs: Pick<ContainerLogs, "follow"> },
    private readonly limits = { maxLinesPerStream: MAX_LINES_PER_STREAM, retainMs: RETAIN_MS },
  ) {
    cluster.logs.follow((ref, line) => this.#ship(ref, line));
  }

  get name(): string {
    return this.cluster.name;
  }

  #ship(ref: { namespace: string; pod: string; container: string }, line: LogLine): void {
    const key = `${ref.namespace}/${ref.pod}/${ref.container}`;
    let s = this.#streams.get(key);
    if (!s) {
      // Lines of a pod the API does not know have no labels to index them by: the shipper skips them.
      const pod = this.cluster.store.get("pods", ref.namespace, ref.pod);
      if (!pod) return;
      const labels: Record<string, string> = { cluster: this.cluster.name, namespace: ref.namespace, pod: ref.pod, container: ref.container };
      const app = pod.metadata.labels?.app;
      const node = pod.spec?.nodeName;
      if (app) labels.app = app;
      if (typeof node === "string" && node) labels.node = node;
      this.#streams.set(key, (s = { ...ref, labels, lines: [], lastAt: 0 }));
    }
    s.lines.push(line);
    if (s.lines.length > this.limits.maxLinesPerStream) s.lines.splice(0, s.lines.length - this.limits.maxLinesPerStream);
    s.lastAt = Math.max(s.lastAt, line.at.getTime());
  }

  /** Every stream kept at `now`, by namespace, pod and container (streams silent for longer than the retention are dropped). */
  streams(now: Date): LogStream[] {
    const out: Array<[string, LogStream]> = [];
    for (const [key, s] of this.#streams) {
      if (s.lastAt < now.getTime() - this.limits.retainMs) this.#streams.delete(key);
      else out.push([key, { labels: s.labels, namespace: s.namespace, pod: s.pod, container: s.container }]);
    }
    return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  }

  /** A stream's lines from `from` on, oldest first. */
  lines(stream: LogStream, from: Date): LogLine[] {
    const s = this.#streams.get(`${stream.namespace}/${stream.pod}/${stream.container}`);
    if (!s) return [];
    return s.lines.filter((l) => l.at >= from);
  }
}
