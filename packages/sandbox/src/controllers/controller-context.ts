import type { ClusterStore } from "../store/cluster-store.js";
import type { KubeObject, WatchEvent } from "../store/types.js";
import type { EventRecorder } from "./event-recorder.js";
import type { ControllerLog } from "./work-queue.js";

/** What every controller of one cluster shares. */
export type ControllerContext = {
  cluster: string;
  store: ClusterStore;
  recorder: EventRecorder;
  /** Wall-clock time; only waits are compressed (sim-time.ts). */
  now: () => Date;
  /** A number in [0, 1), for names, addresses and tie-breaks. */
  random: () => number;
  log: ControllerLog;
};

/** A running controller: `stop` ends its watches and timers. */
export type Stoppable = { stop(): void };

/** `namespace/name`, the key controllers queue. */
export const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;

export function splitKey(key: string): [string, string] {
  const i = key.indexOf("/");
  return [key.slice(0, i), key.slice(i + 1)];
}

/** Watches a resource from now on (current objects first, as ADDED); throws if the store refuses, which is a bug. */
export function watchResource(ctx: ControllerContext, resource: string, listener: (e: WatchEvent) => void): () => void {
  const watch = ctx.store.watch(resource, {}, listener);
  if (!watch.ok) throw new Error(`watch ${resource}: ${watch.error.message}`);
  return watch.value;
}

/** Starts an interval that stops with the controller. */
export function every(ms: number, fn: () => void, log: ControllerLog, name: string): () => void {
  const timer = setInterval(() => {
    try {
      fn();
    } catch (error) {
      log.error({ controller: name, err: error }, "periodic work failed");
    }
  }, ms);
  return () => clearInterval(timer);
}
