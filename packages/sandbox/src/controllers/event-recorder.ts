import type { ClusterStore } from "../store/cluster-store.js";
import type { ObjectMeta } from "../store/types.js";
import { timestamp } from "./kube-shapes.js";
import type { ControllerLog } from "./work-queue.js";

export type EventType = "Normal" | "Warning";

/** The object an event is about, as `involvedObject` names it. */
export type EventSubject = {
  apiVersion: string;
  kind: string;
  metadata: Pick<ObjectMeta, "name" | "uid" | "resourceVersion"> & { namespace?: string };
};

/** Who reports: `source.component` and, for the kubelet, the node (`source.host`). */
export type EventSource = { component: string; host?: string };

export type EventOptions = { fieldPath?: string };

/** The API server keeps events this long (`--event-ttl`). A retention, not a wait, so not compressed. */
export const EVENT_TTL_MS = 60 * 60 * 1000;

// client-go's EventAggregator: past this many different messages for the same object and reason
// within the window, further ones are folded into one "(combined from similar events)" event.
const SIMILAR_MAX = 10;
const SIMILAR_WINDOW_MS = 10 * 60 * 1000;

/**
 * Writes core/v1 Events as client-go's recorder does: an identical event (same object, reason,
 * message, type and source) within the TTL bumps `count` and `lastTimestamp` of the existing
 * object instead of creating another, so `kubectl get events` and `describe` read "x5 over 2m";
 * many similar events with different messages are combined the way client-go combines them.
 */
export class EventRecorder {
  readonly #seen = new Map<string, { namespace: string; name: string; lastMs: number }>();
  readonly #similar = new Map<string, { messages: Set<string>; lastMs: number }>();
  #lastNanos = 0n;

  constructor(
    private readonly deps: { store: ClusterStore; now: () => Date; log: ControllerLog },
  ) {}

  record(subject: EventSubject, source: EventSource, type: EventType, reason: string, text: string, opts: EventOptions = {}): void {
    const now = this.deps.now();
    const namespace = subject.metadata.namespace ?? "default";
    const similarKey = [subject.kind, namespace, subject.metadata.name, subject.metadata.uid, opts.fieldPath ?? "", source.component, source.host ?? "", type, reason].join("\u0000");
    let similar = this.#similar.get(similarKey);
    if (!similar || now.getTime() - similar.lastMs > SIMILAR_WINDOW_MS) this.#similar.set(similarKey, (similar = { messages: new Set(), lastMs: 0 }));
    similar.lastMs = now.getTime();
    similar.messages.add(text);
    const combined = similar.messages.size >= SIMILAR_MAX;
    const message = combined ? `(combined from similar events): ${text}` : text;
    const key = `${similarKey}\u0000${combined ? "(combined)" : text}`;
    const prior = this.#seen.get(key);
    if (prior && now.getTime() - prior.lastMs < EVENT_TTL_MS) {
      const bumped = this.deps.store.mutate("events", prior.namespace, prior.name, (e) => {
        e.count = (typeof e.count === "number" ? e.count : 1) + 1;
        e.lastTimestamp = timestamp(now);
        e.message = message;
      });
      if (bumped.ok) {
        prior.lastMs = now.getTime();
        return;
      }
      // The event was deleted (TTL or by hand): start a new one.
    }
    const name = `${subject.metadata.name}.${this.#uniqueHex(now)}`;
    const created = this.deps.store.create("events", {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: subject.apiVersion,
        kind: subject.kind,
        name: subject.metadata.name,
        ...(subject.metadata.namespace ? { namespace: subject.metadata.namespace } : {}),
        uid: subject.metadata.uid,
        ...(subject.metadata.resourceVersion ? { resourceVersion: subject.metadata.resourceVersion } : {}),
        ...(opts.fieldPath ? { fieldPath: opts.fieldPath } : {}),
      },
      reason,
      message,
      source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
      firstTimestamp: timestamp(now),
      lastTimestamp: timestamp(now),
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? "",
    });
    if (created.ok) this.#seen.set(key, { namespace, name, lastMs: now.getTime() });
    // A namespace being deleted refuses new objects; the event is lost, as with a real cluster.
    else if (created.error.code !== "invalid" && created.error.code !== "not_found") {
      this.deps.log.warn({ reason, object: subject.metadata.name, error: created.error.message }, "event not recorded");
    }
  }

  /** Deletes events last seen more than the TTL ago, as the API server's event TTL does. */
  expire(): void {
    const cutoff = this.deps.now().getTime() - EVENT_TTL_MS;
    for (const e of this.deps.store.list("events").items) {
      const last = Date.parse(String(e.lastTimestamp ?? e.metadata.creationTimestamp));
      if (Number.isFinite(last) && last < cutoff) this.deps.store.delete("events", e.metadata.namespace, e.metadata.name);
    }
    for (const [key, seen] of this.#seen) if (seen.lastMs < cutoff) this.#seen.delete(key);
    for (const [key, similar] of this.#similar) if (similar.lastMs < cutoff) this.#similar.delete(key);
  }

  /** client-go names events `<object>.<unix nanos in hex>`; nanos here are made unique per recorder. */
  #uniqueHex(now: Date): string {
    let nanos = BigInt(now.getTime()) * 1_000_000n;
    if (nanos <= this.#lastNanos) nanos = this.#lastNanos + 1n;
    this.#lastNanos = nanos;
    return nanos.toString(16);
  }
}
