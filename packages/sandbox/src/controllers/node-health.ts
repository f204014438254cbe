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

/** The simulated nodes' kubelet health and pressure conditions (all healthy until set). */
export class NodeHealthBoard {
  readonly #health = new Map<string, KubeletHealth>();
  readonly #pressure = new Map<string, Set<PressureCondition>>();
  readonly #listeners = new Set<Listener>();

  health(node: string): KubeletHealth {
    return this.#health.get(node) ?? "Ready";
  }

  underPressure(node: string, condition: PressureCondition): boolean {
    return this.#pressure.get(node)?.has(condition) ?? false;
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
    const nodes = new Set([...this.#health.keys(), ...this.#pressure.keys()]);
    this.#health.clear();
    this.#pressure.clear();
    for (const n of nodes) for (const l of this.#listeners) l(n);
  }

  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
