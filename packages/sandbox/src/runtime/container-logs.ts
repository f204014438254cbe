/** One log line of a container, as the kubelet would keep it. */
export interface LogLine {
  at: Date;
  text: string;
}

export interface LogReadOptions {
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: Date;
  /** Lines of the container's previous run (after a restart). */
  previous?: boolean;
  limitBytes?: number;
}

const KEEP_LINES = 5_000;

/**
 * Container logs of one cluster, per pod container and run: what `kubectl logs` (and later the
 * Loki API) reads. The kubelet simulation writes them; a restart starts a new run and keeps the
 * previous one for `--previous`.
 */
export class ContainerLogs {
  readonly #runs = new Map<string, { current: LogLine[]; previous: LogLine[] | undefined }>();
  readonly #listeners = new Set<(ref: { namespace: string; pod: string; container: string }, line: LogLine) => void>();

  #key(namespace: string, pod: string, container: string): string {
    return `${namespace}/${pod}/${container}`;
  }

  append(namespace: string, pod: string, container: string, line: LogLine): void {
    const key = this.#key(namespace, pod, container);
    let run = this.#runs.get(key);
    if (!run) this.#runs.set(key, (run = { current: [], previous: undefined }));
    run.current.push(line);
    if (run.current.length > KEEP_LINES) run.current.splice(0, run.current.length - KEEP_LINES);
    for (const l of this.#listeners) l({ namespace, pod, container }, line);
  }

  /** The container restarted: its current lines become the previous run's. */
  restart(namespace: string, pod: string, container: string): void {
    const run = this.#runs.get(this.#key(namespace, pod, container));
    if (run) this.#runs.set(this.#key(namespace, pod, container), { current: [], previous: run.current });
  }

  /** Forgets a deleted pod's logs. */
  forget(namespace: string, pod: string): void {
    for (const key of [...this.#runs.keys()]) if (key.startsWith(`${namespace}/${pod}/`)) this.#runs.delete(key);
  }

  /** `undefined` when the container has never run (or, with `previous`, never restarted). */
  read(namespace: string, pod: string, container: string, opts: LogReadOptions = {}, now = new Date()): LogLine[] | undefined {
    const run = this.#runs.get(this.#key(namespace, pod, container));
    const lines = opts.previous ? run?.previous : run?.current;
    if (!lines) return undefined;
    let out = lines;
    if (opts.sinceTime) out = out.filter((l) => l.at >= (opts.sinceTime as Date));
    if (opts.sinceSeconds !== undefined) {
      const from = now.getTime() - opts.sinceSeconds * 1000;
      out = out.filter((l) => l.at.getTime() >= from);
    }
    if (opts.tailLines !== undefined) out = out.slice(Math.max(0, out.length - opts.tailLines));
    return [...out];
  }

  /** Every line appended from now on (for `logs -f`); returns the unsubscribe function. */
  follow(listener: (ref: { namespace: string; pod: string; container: string }, line: LogLine) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
