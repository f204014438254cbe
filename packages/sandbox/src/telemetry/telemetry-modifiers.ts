/**
 * What a fault changes in one service's telemetry. Every field is optional: an unset field
 * leaves the baseline model alone.
 */
export interface ServiceModifier {
  /** Multiplies the requests the service receives (a traffic spike); propagates to what it calls. */
  trafficFactor?: number;
  /** Fraction (0..1) of the service's own requests that fail with a 500. */
  errorRate?: number;
  /**
   * Limits `errorRate` to the Ready pods with these labels (a bad revision's `pod-template-hash`):
   * the service's error rate then follows the share of traffic those pods get, and stops when a
   * rollback replaces them.
   */
  errorPodLabels?: Record<string, string>;
  /**
   * Limits `errorRate` to the Ready pods whose first container runs this image (a bad release):
   * unlike a pod-template-hash, it survives a rollout restart of the bad revision, and only a
   * rollback (or a roll forward) replaces it.
   */
  errorImage?: string;
  /** Fraction (0..1) of requests answered 4xx (bots, bad clients): the service is fine. */
  clientErrorRate?: number;
  /** Milliseconds added to the service's own work per request. */
  extraLatencyMs?: number;
  /** Milliseconds added to the service's calls to dependencies outside the cluster (payment-gateway). */
  externalLatencyMs?: number;
  /** Working set of the service's containers, in MiB, instead of the baseline. */
  memoryMiB?: number;
  /** Working set growth since the container started (or since the modifier was set, if later). */
  memoryGrowthMiBPerMin?: number;
  /** CPU each of the service's pods wants, in millicores, instead of what its traffic costs (a pod pinning CPU). */
  cpuMilli?: number;
  /** Fraction (0..1) of the service's PVC in use; the baseline is about 45 %. */
  diskUsedFraction?: number;
  /** Bytes in use on the service's PVC, whatever its size (data that landed): an expanded volume then shows a lower fraction. */
  diskUsedBytes?: number;
}

/** A modifier as stored: `since` is when its memory growth was set, so a leak grows from then and not before. */
export interface StoredModifier extends ServiceModifier {
  since: Date;
}

/**
 * The per-cluster, per-service modifiers that faults set and clear. Setting merges into what is
 * there, so two faults on one service (a leak and a spike) can coexist; `undefined` fields clear.
 */
/** Modifiers that come from elsewhere (the active faults), asked at every read. */
export type ModifierSource = (cluster: string, service: string) => (ServiceModifier & { since?: Date }) | undefined;

export class TelemetryModifiers {
  readonly #byKey = new Map<string, StoredModifier>();
  readonly #sources: ModifierSource[] = [];

  /** `now` stamps when a modifier is set; injected so tests and the model agree on time. */
  constructor(private readonly deps: { now: () => Date }) {}

  setModifier(cluster: string, service: string, modifier: ServiceModifier): void {
    const key = `${cluster}/${service}`;
    const prev = this.#byKey.get(key);
    // Only a change of growth restarts the clock: a spike added later must not reset a leak.
    const since = prev && !("memoryGrowthMiBPerMin" in modifier) ? prev.since : this.deps.now();
    const merged: StoredModifier = { ...prev, ...modifier, since };
    for (const k of Object.keys(merged) as (keyof StoredModifier)[]) if (merged[k] === undefined) delete merged[k];
    this.#byKey.set(key, merged);
  }

  /** Adds a source whose modifiers are merged over the ones set here (the fault registry's). */
  addSource(source: ModifierSource): void {
    this.#sources.push(source);
  }

  /** The modifier of one service, or an empty one. */
  modifierOf(cluster: string, service: string): Readonly<Partial<StoredModifier>> {
    const set = this.#byKey.get(`${cluster}/${service}`);
    if (this.#sources.length === 0) return set ?? {};
    let merged: Partial<StoredModifier> = set ?? {};
    for (const source of this.#sources) {
      const m = source(cluster, service);
      if (m) merged = { ...merged, ...m };
    }
    return merged;
  }

  /** Clears one service's modifier, or every modifier of a cluster, or all of them. */
  clearModifiers(cluster?: string, service?: string): void {
    if (cluster === undefined) return this.#byKey.clear();
    for (const key of [...this.#byKey.keys()]) {
      if (service === undefined ? key.startsWith(`${cluster}/`) : key === `${cluster}/${service}`) this.#byKey.delete(key);
    }
  }
}
