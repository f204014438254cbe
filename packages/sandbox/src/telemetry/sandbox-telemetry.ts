import type { SimCluster } from "../cluster.js";
import { ClusterTelemetry } from "./metrics-exposition.js";
import { TelemetryModifiers } from "./telemetry-modifiers.js";

export interface SandboxTelemetryDeps {
  clusters: ReadonlyArray<Pick<SimCluster, "name" | "store">>;
  now: () => Date;
  /** Seeds every cluster's noise (each cluster mixes in its own name). */
  seed: number;
}

/**
 * Telemetry for every cluster of the sandbox, sharing one modifier registry: the API servers
 * render from it, fault injection sets modifiers on it. Built once by `startSandbox`.
 */
export class SandboxTelemetry {
  readonly modifiers: TelemetryModifiers;
  readonly #byCluster = new Map<string, ClusterTelemetry>();

  constructor(private readonly deps: SandboxTelemetryDeps) {
    this.modifiers = new TelemetryModifiers({ now: deps.now });
    const startedAt = deps.now();
    deps.clusters.forEach((c, i) => {
      this.#byCluster.set(c.name, new ClusterTelemetry({ cluster: c.name, store: c.store, modifiers: this.modifiers, seed: deps.seed + i * 7919, startedAt }));
    });
  }

  /** One cluster's telemetry, for its API server's `/metrics`. */
  cluster(name: string): ClusterTelemetry | undefined {
    return this.#byCluster.get(name);
  }

  /** The exposition of a cluster now; undefined for a cluster the sandbox does not run. */
  render(clusterName: string): string | undefined {
    return this.#byCluster.get(clusterName)?.render(this.deps.now());
  }
}
