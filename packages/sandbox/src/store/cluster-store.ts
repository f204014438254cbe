import { err, ok, type Result } from "@autodevops/shared";
import { resourceByKey } from "./resources.js";
import { EVERYTHING, matchesFields, matchesLabels, type Selector } from "./selectors.js";
import type { KubeObject, KubeObjectInput, WatchEvent, WatchEventType } from "./types.js";

export type StoreError =
  | { code: "not_found"; resource: string; name: string; message: string }
  | { code: "already_exists"; resource: string; name: string; message: string }
  | { code: "conflict"; resource: string; name: string; message: string }
  | { code: "invalid"; resource: string; name: string; message: string; field?: string }
  | { code: "gone"; message: string };

export interface ListOptions {
  namespace?: string;
  labelSelector?: Selector;
  fieldSelector?: Selector;
}

export interface WriteOptions {
  /** Validate and compute the result without storing it (the API's `dryRun=All`). */
  dryRun?: boolean;
}

export interface UpdateOptions extends WriteOptions {
  /** `status` writes only the status; the main resource keeps the stored status. */
  subresource?: "status";
}

export interface DeleteOptions extends WriteOptions {
  /** Pods only: seconds until the kubelet may remove it; 0 removes at once. */
  gracePeriodSeconds?: number;
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface WatchOptions extends ListOptions {
  /** Deliver changes after this revision; unset: ADDED for every current object first, then changes. */
  sinceRevision?: number;
}

export type WatchListener = (event: WatchEvent) => void;

interface Watcher {
  resource: string | null;
  opts: WatchOptions;
  listener: WatchListener;
}

export interface ClusterStoreDeps {
  now: () => Date;
  newUid: () => string;
  /** Suffix for `generateName`. */
  randomSuffix: () => string;
  /** How many changes a watch can resume from. */
  historySize?: number;
}

const clone = <T>(v: T): T => structuredClone(v);

/** A stored event without the previous object, which only the store uses. */
const strip = ({ previous: _p, ...e }: WatchEvent & { previous?: KubeObject }): WatchEvent => e;

/** Everything but metadata and status: a change here is a new generation. */
function specPart(o: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

/**
 * One simulated cluster's objects, with the semantics clients rely on: a monotonically growing
 * resourceVersion, optimistic concurrency, generation, graceful pod deletion, garbage collection
 * by owner reference, namespace deletion, and a watch that can resume from a recent revision.
 * Single-threaded: every change and its watch events happen in one synchronous step.
 */
export class ClusterStore {
  #revision = 0;
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #history: Array<WatchEvent & { previous?: KubeObject }> = [];
  readonly #watchers = new Set<Watcher>();
  readonly #historySize: number;
  readonly #outbox: Array<WatchEvent & { previous?: KubeObject }> = [];
  #delivering = false;

  constructor(private readonly deps: ClusterStoreDeps) {
    this.#historySize = deps.historySize ?? 50_000;
  }

  get revision(): number {
    return this.#revision;
  }

  /** The oldest revision a watch can still resume after. */
  get oldestResumable(): number {
    return this.#history[0] ? this.#history[0].rv - 1 : this.#revision;
  }

  #bucket(resource: string): Map<string, KubeObject> {
    let b = this.#objects.get(resource);
    if (!b) this.#objects.set(resource, (b = new Map()));
    return b;
  }

  #key(namespace: string | undefined, name: string): string {
    return `${namespace ?? ""}/${name}`;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.#objects.get(resource)?.get(this.#key(namespace, name));
    return o ? clone(o) : undefined;
  }

  list(resource: string, opts: ListOptions = {}): { items: KubeObject[]; resourceVersion: string } {
    const items: KubeObject[] = [];
    for (const o of this.#objects.get(resource)?.values() ?? []) {
      if (this.#matches(o, opts)) items.push(clone(o));
    }
    items.sort((a, b) =>
      (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") || a.metadata.name.localeCompare(b.metadata.name),
    );
    return { items, resourceVersion: String(this.#revision) };
  }

  #matches(o: KubeObject, opts: ListOptions): boolean {
    if (opts.namespace !== undefined && o.metadata.namespace !== opts.namespace) return false;
    if (opts.labelSelector && !matchesLabels(opts.labelSelector, o.metadata.labels)) return false;
    if (opts.fieldSelector && !matchesFields(opts.fieldSelector, o)) return false;
    return true;
  }

  create(resource: string, input: KubeObjectInput, opts: WriteOptions = {}): Result<KubeObject, StoreError> {
    const type = resourceByKey(resource);
    if (!type) throw new Error(`unknown resource ${resource}`);
    const meta = input.metadata ?? {};
    let name = meta.name;
    if (!name && meta.generateName) name = `${meta.generateName}${this.deps.randomSuffix()}`;
    if (!name) {
      return err({ code: "invalid", resource, name: "", field: "metadata.name", message: "name or generateName is required" });
    }
    const namespace = type.namespaced ? meta.namespace : undefined;
    if (type.namespaced && !namespace) {
      return err({ code: "invalid", resource, name, field: "metadata.namespace", message: "namespace is required" });
    }
    if (namespace !== undefined) {
      const ns = this.#objects.get("namespaces")?.get(this.#key(undefined, namespace));
      if (!ns) return err({ code: "not_found", resource: "namespaces", name: namespace, message: `namespaces "${namespace}" not found` });
      if (ns.metadata.deletionTimestamp) {
        return err({
          code: "invalid",
          resource,
          name,
          message: `unable to create new content in namespace ${namespace} because it is being terminated`,
        });
      }
    }
    const bucket = this.#bucket(resource);
    if (bucket.has(this.#key(namespace, name))) {
      return err({ code: "already_exists", resource, name, message: `${type.plural}${type.group ? `.${type.group}` : ""} "${name}" already exists` });
    }
    const rv = opts.dryRun ? this.#revision : this.#revision + 1;
    const obj = clone(input) as KubeObject;
    obj.metadata = {
      ...clone(meta),
      name,
      ...(namespace !== undefined ? { namespace } : {}),
      uid: this.deps.newUid(),
      resourceVersion: String(rv),
      generation: 1,
      creationTimestamp: this.deps.now().toISOString().replace(/\.\d{3}Z$/, "Z"),
    };
    delete obj.metadata.deletionTimestamp;
    if (namespace === undefined) delete obj.metadata.namespace;
    if (opts.dryRun) return ok(obj);
    this.#revision = rv;
    bucket.set(this.#key(namespace, name), obj);
    this.#emit("ADDED", resource, obj);
    return ok(clone(obj));
  }

  /**
   * Replaces an object. A resourceVersion on the new object must equal the stored one (409
   * otherwise); without one the write is unconditional, as the API server allows.
   */
  update(resource: string, next: KubeObject, opts: UpdateOptions = {}): Result<KubeObject, StoreError> {
    const namespace = resourceByKey(resource)?.namespaced ? next.metadata.namespace : undefined;
    const name = next.metadata.name;
    const bucket = this.#bucket(resource);
    const current = bucket.get(this.#key(namespace, name));
    const plural = resourceByKey(resource)?.plural ?? resource;
    if (!current) return err({ code: "not_found", resource, name, message: `${plural} "${name}" not found` });
    const wanted = next.metadata.resourceVersion;
    if (wanted && wanted !== current.metadata.resourceVersion) {
      return err({
        code: "conflict",
        resource,
        name,
        message: `Operation cannot be fulfilled on ${plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      });
    }
    if (next.metadata.uid && next.metadata.uid !== current.metadata.uid) {
      return err({ code: "conflict", resource, name, message: `Precondition failed: UID in object meta: ${next.metadata.uid}, does not match stored ${current.metadata.uid}` });
    }
    let obj: KubeObject;
    if (opts.subresource === "status") {
      obj = clone(current);
      obj.status = clone(next.status);
    } else {
      obj = clone(next);
      // The status is written through its own subresource; a main-resource write keeps it.
      if (current.status !== undefined) obj.status = clone(current.status);
      else delete obj.status;
      // Fields only the server sets.
      obj.metadata.uid = current.metadata.uid;
      obj.metadata.creationTimestamp = current.metadata.creationTimestamp;
      obj.metadata.generation = current.metadata.generation;
      if (current.metadata.deletionTimestamp) obj.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
      else delete obj.metadata.deletionTimestamp;
      if (namespace !== undefined) obj.metadata.namespace = namespace;
      if (specPart(obj) !== specPart(current)) obj.metadata.generation = (current.metadata.generation ?? 1) + 1;
    }
    // A write that changes nothing is not a new revision, as with the real server.
    if (JSON.stringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: "" } }) ===
        JSON.stringify({ ...current, metadata: { ...current.metadata, resourceVersion: "" } })) {
      return ok(clone(current));
    }
    const rv = opts.dryRun ? Number(current.metadata.resourceVersion) : this.#revision + 1;
    obj.metadata.resourceVersion = String(rv);
    if (opts.dryRun) return ok(obj);
    this.#revision = rv;
    bucket.set(this.#key(namespace, name), obj);
    // An object marked for deletion whose last finalizer was just removed goes now.
    if (obj.metadata.deletionTimestamp && !obj.metadata.finalizers?.length && obj.kind !== "Pod") {
      this.#remove(resource, obj);
      return ok(clone(obj));
    }
    this.#emit("MODIFIED", resource, obj, current);
    return ok(clone(obj));
  }

  /** Reads, changes and writes back an object in one step; `change` returns false to leave it be. */
  mutate(
    resource: string,
    namespace: string | undefined,
    name: string,
    change: (o: KubeObject) => boolean | void,
    opts: UpdateOptions = {},
  ): Result<KubeObject, StoreError> {
    const current = this.get(resource, namespace, name);
    if (!current) return err({ code: "not_found", resource, name, message: `${resourceByKey(resource)?.plural ?? resource} "${name}" not found` });
    if (change(current) === false) return ok(current);
    return this.update(resource, current, opts);
  }

  delete(resource: string, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Result<KubeObject, StoreError> {
    const type = resourceByKey(resource);
    const ns = type?.namespaced ? namespace : undefined;
    const current = this.#objects.get(resource)?.get(this.#key(ns, name));
    const plural = type?.plural ?? resource;
    if (!current) return err({ code: "not_found", resource, name, message: `${plural} "${name}" not found` });
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      return err({ code: "conflict", resource, name, message: `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}` });
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      return err({
        code: "conflict",
        resource,
        name,
        message: `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      });
    }
    if (opts.dryRun) return ok(clone(current));

    const grace =
      current.kind === "Pod"
        ? (opts.gracePeriodSeconds ?? ((current.spec?.terminationGracePeriodSeconds as number | undefined) ?? 30))
        : 0;
    // A pod that never started (no node) has nothing to stop.
    const graceful = current.kind === "Pod" && grace > 0 && Boolean(current.spec?.nodeName);
    if (graceful || current.metadata.finalizers?.length || current.kind === "Namespace") {
      if (current.metadata.deletionTimestamp) return ok(clone(current));
      const marked = clone(current);
      const at = new Date(this.deps.now().getTime() + grace * 1000);
      marked.metadata.deletionTimestamp = at.toISOString().replace(/\.\d{3}Z$/, "Z");
      if (current.kind === "Pod") marked.metadata.deletionGracePeriodSeconds = grace;
      if (current.kind === "Namespace") marked.status = { ...(marked.status ?? {}), phase: "Terminating" };
      this.#revision += 1;
      marked.metadata.resourceVersion = String(this.#revision);
      this.#bucket(resource).set(this.#key(ns, name), marked);
      this.#emit("MODIFIED", resource, marked, current);
      this.#collectDependents(marked, opts.propagationPolicy);
      if (current.kind === "Namespace") this.#emptyNamespace(name);
      return ok(clone(marked));
    }
    this.#remove(resource, current);
    this.#collectDependents(current, opts.propagationPolicy);
    return ok(clone(current));
  }

  /** Removes an object marked for deletion (the kubelet's last step for a pod). */
  finalizeDeletion(resource: string, namespace: string | undefined, name: string): void {
    const type = resourceByKey(resource);
    const current = this.#objects.get(resource)?.get(this.#key(type?.namespaced ? namespace : undefined, name));
    if (current) this.#remove(resource, current);
  }

  #remove(resource: string, obj: KubeObject): void {
    const type = resourceByKey(resource);
    this.#bucket(resource).delete(this.#key(type?.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name));
    this.#revision += 1;
    const gone = clone(obj);
    gone.metadata.resourceVersion = String(this.#revision);
    this.#emit("DELETED", resource, gone);
  }

  /** Garbage collection: dependents go with their owner, or lose the reference when orphaned. */
  #collectDependents(owner: KubeObject, policy: DeleteOptions["propagationPolicy"]): void {
    const uid = owner.metadata.uid;
    for (const [resource, bucket] of this.#objects) {
      for (const dep of [...bucket.values()]) {
        if (!dep.metadata.ownerReferences?.some((r) => r.uid === uid)) continue;
        if (policy === "Orphan") {
          this.mutate(resource, dep.metadata.namespace, dep.metadata.name, (o) => {
            o.metadata.ownerReferences = o.metadata.ownerReferences?.filter((r) => r.uid !== uid);
            if (o.metadata.ownerReferences?.length === 0) delete o.metadata.ownerReferences;
          });
        } else {
          this.delete(resource, dep.metadata.namespace, dep.metadata.name, { propagationPolicy: "Background" });
        }
      }
    }
  }

  #emptyNamespace(namespace: string): void {
    for (const [resource, bucket] of this.#objects) {
      for (const o of [...bucket.values()]) {
        if (o.metadata.namespace === namespace && resource !== "namespaces") this.delete(resource, namespace, o.metadata.name, { gracePeriodSeconds: 0 });
      }
    }
    this.finalizeDeletion("namespaces", undefined, namespace);
  }

  /**
   * Streams changes to `listener`. Resuming from a revision older than the kept history fails
   * with `gone`, as a real server answers 410 and the client re-lists.
   */
  watch(resource: string | null, opts: WatchOptions, listener: WatchListener): Result<() => void, StoreError> {
    const since = opts.sinceRevision;
    if (since !== undefined && since > 0 && since < this.oldestResumable) {
      return err({ code: "gone", message: `too old resource version: ${since} (${this.oldestResumable})` });
    }
    const watcher: Watcher = { resource, opts, listener };
    if (since === undefined || since === 0) {
      const resources = resource ? [resource] : [...this.#objects.keys()];
      for (const r of resources) {
        for (const o of this.list(r, opts).items) listener({ type: "ADDED", rv: Number(o.metadata.resourceVersion), resource: r, object: o });
      }
    } else {
      for (const e of this.#history) {
        const seen = e.rv > since ? this.#asSeenBy(watcher, e) : undefined;
        if (seen) listener(seen);
      }
    }
    this.#watchers.add(watcher);
    return ok(() => this.#watchers.delete(watcher));
  }

  /**
   * The event as one watcher sees it. With a selector, an object that stops matching is DELETED
   * for that watcher and one that starts matching is ADDED, as the real watch cache reports them.
   */
  #asSeenBy(w: Watcher, e: WatchEvent & { previous?: KubeObject }): WatchEvent | undefined {
    if (w.resource !== null && w.resource !== e.resource) return undefined;
    const opts = { ...w.opts, labelSelector: w.opts.labelSelector ?? EVERYTHING };
    const now = this.#matches(e.object, opts);
    if (e.type !== "MODIFIED" || !e.previous) return now ? strip(e) : undefined;
    const before = this.#matches(e.previous, opts);
    if (now && before) return strip(e);
    if (now) return { ...strip(e), type: "ADDED" };
    if (before) return { ...strip(e), type: "DELETED" };
    return undefined;
  }

  #emit(type: WatchEventType, resource: string, obj: KubeObject, previous?: KubeObject): void {
    const event: WatchEvent & { previous?: KubeObject } = {
      type,
      rv: Number(obj.metadata.resourceVersion),
      resource,
      object: clone(obj),
      ...(previous ? { previous: clone(previous) } : {}),
    };
    this.#history.push(event);
    if (this.#history.length > this.#historySize) this.#history.splice(0, this.#history.length - this.#historySize);
    this.#outbox.push(event);
    if (this.#delivering) return;
    // A listener that writes (a controller) causes more events while this one is delivered;
    // they queue here so that every watcher sees every change in revision order.
    this.#delivering = true;
    try {
      for (let e = this.#outbox.shift(); e; e = this.#outbox.shift()) {
        for (const w of [...this.#watchers]) {
          const seen = this.#watchers.has(w) ? this.#asSeenBy(w, e) : undefined;
          if (seen) w.listener(seen);
        }
      }
    } finally {
      this.#delivering = false;
    }
  }
}
