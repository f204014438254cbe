import { ApiException, CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from "@kubernetes/client-node";
import type { Logger } from "@autodevops/shared";

/** Where the lease lives, who we are, and the client-go timings (15 s / 10 s / 2 s by default). */
export interface LeaseSettings {
  namespace: string;
  name: string;
  identity: string;
  /** How long others wait, after they last saw the lease change, before taking it. */
  leaseDurationMs: number;
  /** A leader that has not renewed for this long steps down (shorter than the lease duration). */
  renewDeadlineMs: number;
  /** How often to try to acquire, and to renew. */
  retryPeriodMs: number;
}

type LeaseApi = Pick<CoordinationV1Api, "readNamespacedLease" | "createNamespacedLease" | "replaceNamespacedLease">;

export interface ElectorOptions {
  kubeConfig: KubeConfig;
  settings: LeaseSettings;
  log: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  now?: () => number;
}

const status = (e: unknown): number | undefined => (e instanceof ApiException ? e.code : undefined);
const ms = (t: Date | string | undefined) => (t === undefined ? undefined : new Date(t).getTime());

/**
 * One Kubernetes Lease (coordination.k8s.io/v1) contended for, as client-go's leaderelection does
 * it (@kubernetes/client-node 2.0 ships no helper): acquire when the lease is free or its holder
 * has not renewed for leaseDuration, renew every retryPeriod, step down when renewal has failed for
 * renewDeadline, every write guarded by the resourceVersion read. Expiry is judged on this
 * process's clock from when it last saw the record change, so clock skew between replicas does not
 * matter.
 */
export class LeaseElector {
  readonly #api: LeaseApi;
  readonly #o: ElectorOptions;
  readonly #now: () => number;
  #leading = false;
  /** When the last successful write was sent: leadership is good until this + renewDeadline. */
  #renewedAt = 0;
  #observed: { key: string; at: number; holder: string } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = true;

  constructor(o: ElectorOptions) {
    this.#o = o;
    this.#api = o.kubeConfig.makeApiClient(CoordinationV1Api);
    this.#now = o.now ?? Date.now;
  }

  /** Leading, and renewed recently enough that nobody else can have taken over: safe to act. */
  isLeader(): boolean {
    return this.#leading && this.#now() - this.#renewedAt < this.#o.settings.renewDeadlineMs;
  }

  /** The holder this process last saw on the lease ("" when free). */
  holder(): string | undefined {
    return this.#observed?.holder;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops contending; a leader releases the lease (empty holder) so another takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
    if (!this.#leading) return;
    this.#stepDown("stopping");
    await this.#release().catch((e: unknown) => this.#o.log.warn({ err: e, lease: this.#o.settings.name }, "lease not released"));
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#cycle().finally(() => this.#schedule(this.#o.settings.retryPeriodMs));
    }, delayMs);
  }

  async #cycle(): Promise<void> {
    const s = this.#o.settings;
    let won = false;
    let timer: NodeJS.Timeout | undefined;
    // A request lost in a network black hole must not stall the loop: give up on it after the renew deadline.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the API server within ${s.renewDeadlineMs} ms`)), s.renewDeadlineMs);
    });
    try {
      won = await Promise.race([this.#tryAcquireOrRenew(), timeout]);
    } catch (e) {
      this.#o.log.warn({ err: e, lease: s.name }, this.#leading ? "lease renewal failed" : "lease acquisition failed");
    } finally {
      clearTimeout(timer);
    }
    if (this.#stopped) return;
    if (won && !this.#leading) {
      this.#leading = true;
      this.#o.log.info({ lease: `${s.namespace}/${s.name}`, identity: s.identity }, "became leader");
      this.#o.onStartedLeading();
    } else if (!won && this.#leading) {
      const lost = this.#observed !== undefined && this.#observed.holder !== s.identity && this.#observed.holder !== "";
      if (lost) this.#stepDown(`the lease is held by ${this.#observed?.holder}`);
      else if (this.#now() - this.#renewedAt >= s.renewDeadlineMs) this.#stepDown("renewal failed for the renew deadline");
    }
  }

  #stepDown(why: string): void {
    this.#leading = false;
    this.#o.log.warn({ lease: `${this.#o.settings.namespace}/${this.#o.settings.name}`, identity: this.#o.settings.identity, why }, "stopped leading");
    this.#o.onStoppedLeading();
  }

  #observe(lease: V1Lease, at: number): void {
    const sp = lease.spec ?? {};
    const key = JSON.stringify([sp.holderIdentity ?? "", ms(sp.renewTime), ms(sp.acquireTime), sp.leaseTransitions, sp.leaseDurationSeconds]);
    if (this.#observed?.key !== key) this.#observed = { key, at, holder: sp.holderIdentity ?? "" };
  }

  /** One attempt; true when this process holds the lease after it. Throws on transport errors. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const s = this.#o.settings;
    const t = this.#now();
    const durationSeconds = Math.ceil(s.leaseDurationMs / 1000);
    let current: V1Lease;
    try {
      current = await this.#api.readNamespacedLease({ name: s.name, namespace: s.namespace });
    } catch (e) {
      if (status(e) !== 404) throw e;
      // A deleted lease does not end its holder's term: whoever saw another holder renewing lets
      // the lease duration pass (the holder recreates it meanwhile) rather than lead beside it.
      const seen = this.#observed;
      if (seen && seen.holder !== "" && seen.holder !== s.identity && t < seen.at + s.leaseDurationMs) return false;
      const spec = { holderIdentity: s.identity, leaseDurationSeconds: durationSeconds, acquireTime: new V1MicroTime(t), renewTime: new V1MicroTime(t), leaseTransitions: 0 };
      try {
        const created = await this.#api.createNamespacedLease({ namespace: s.namespace, body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: s.name, namespace: s.namespace }, spec } });
        return this.#won(created, t);
      } catch (ce) {
        if (status(ce) !== 409) throw ce;
        // Another replica created it first: note who holds it, so a leader steps down at once.
        this.#observe(await this.#api.readNamespacedLease({ name: s.name, namespace: s.namespace }), t);
        return false;
      }
    }
    this.#observe(current, t);
    const sp = current.spec ?? {};
    const holder = sp.holderIdentity ?? "";
    const mine = holder === s.identity;
    const heldFor = (sp.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (holder !== "" && !mine && t < (this.#observed?.at ?? t) + heldFor) return false;
    const body: V1Lease = {
      ...current,
      spec: {
        ...sp,
        holderIdentity: s.identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: mine && sp.acquireTime ? new V1MicroTime(sp.acquireTime) : new V1MicroTime(t),
        renewTime: new V1MicroTime(t),
        leaseTransitions: (sp.leaseTransitions ?? 0) + (mine ? 0 : 1),
      },
    };
    try {
      return this.#won(await this.#api.replaceNamespacedLease({ name: s.name, namespace: s.namespace, body }), t);
    } catch (e) {
      if (status(e) === 409) return false; // written by someone else since we read it: resourceVersion guard
      throw e;
    }
  }

  #won(lease: V1Lease, sentAt: number): boolean {
    this.#observe(lease, sentAt);
    this.#renewedAt = sentAt;
    return true;
  }

  async #release(): Promise<void> {
    const s = this.#o.settings;
    const current = await this.#api.readNamespacedLease({ name: s.name, namespace: s.namespace });
    if (current.spec?.holderIdentity !== s.identity) return;
    const t = new V1MicroTime(this.#now());
    await this.#api.replaceNamespacedLease({ name: s.name, namespace: s.namespace, body: { ...current, spec: { ...current.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: t } } });
  }
}
