/**
 * How each node's kubelet is doing, set from outside (the node-not-ready and noisy-neighbour
 * faults) and read by the kubelet simulation:
 * - `Ready`: posts status, runs pods.
 * - `NotReady`: alive but its runtime is down: it reports Ready=False (KubeletNotReady), its
 *   pods make no progress, but it still stops and removes pods being deleted.
 * - `Unreachable`: silent: no status, no lease, nothing happens to its pods; the node
 *   controller marks it Unknown after the grace period.
 */
export type KubeletHealth = "Ready" | "NotReady" | "Unreachable";

export type PressureCondition = "MemoryPressure" | "DiskPressure" | "PIDPressure";

type Listener = (node: string) => void;

/**
 * A pod eating a node's memory (the noisy-neighbour fault): the node reports MemoryPressure
 * while `active()` holds, read at every status report, so the pressure ends when the culprit
 * goes or gets a limit without anyone telling the board.
 */
export type MemoryHog = {
  /** Whether the culprit still runs on the node unbounded. */
  active(): boolean;
  /** The culprit's pods: the kubelet's eviction picks among their neighbours. */
  isHog(pod: { metadata: { namespace?: string; name: string } }): boolean;
  /** What the culprit's container uses, for the eviction message. */
  usage: { container: string; bytes: number };
};

/** The simulated nodes' kubelet health and pressure conditions (all healthy until set). */
export class NodeHealthBoard {
  readonly #health = new Map<string, KubeletHealth>();
  readonly #pressure = new Map<string, Set<PressureCondition>>();
  readonly #listeners = new Set<Listener>();
  readonly #hogs = new Map<string, MemoryHog>();

  health(node: string): KubeletHealth {
    return this.#health.get(node) ?? "Ready";
  }

  underPressure(node: string, condition: PressureCondition): boolean {
    if (condition === "MemoryPressure" && this.#hogs.get(node)?.active()) return true;
    return this.#pressure.get(node)?.has(condition) ?? false;
  }

  /** The pod eating the node's memory, if any. */
  memoryHog(node: string): MemoryHog | undefined {
    return this.#hogs.get(node);
  }

  /** Sets (or, with undefined, removes) the pod eating a node's memory. */
  setMemoryHog(node: string, hog: MemoryHog | undefined): void {
    if (hog) this.#hogs.set(node, hog);
    else if (!this.#hogs.delete(node)) return;
    for (const l of this.#listeners) l(node);
  }

  setHealth(node: string, health: KubeletHealth): void {
    if (this.health(node) === health) return;
    if (health === "Ready") this.#health.delete(node);
    else this.#health.set(node, health);
    for (const l of this.#listeners) l(node);
  }

  setPressure(node: string, condition: PressureCondition, on: boolean): void {
    if (this.underPressure(node, condition) === on) return;
    let set = this.#pressure.get(node);
    if (!set) this.#pressure.set(node, (set = new Set()));
    if (on) set.add(condition);
    else set.delete(condition);
    for (const l of this.#listeners) l(node);
  }

  /** Every node back to healthy (a sandbox reset). */
  clear(): void {
    const nodes = new Set([...this.#health.keys(), ...this.#pressure.keys(), ...this.#hogs.keys()]);
    this.#health.clear();
    this.#pressure.clear();
    this.#hogs.clear();
    for (const n of nodes) for (const l of this.#listeners) l(n);
  }

  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
