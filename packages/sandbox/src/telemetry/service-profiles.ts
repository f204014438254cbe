/**
 * How each of the estate's services behaves under load: what a request costs it and how many
 * calls it makes to each dependency. The numbers are chosen so that the baseline sits at 20-45 %
 * of each workload's CPU limit and a traffic spike of 3-5x pushes the target to its limit.
 */

export interface ServiceProfile {
  /** Milliseconds of the service's own work per request (median), before queueing. */
  ownWorkMs: number;
  /** CPU per request per second, in millicores, across all of its pods. */
  cpuMilliPerRps: number;
  /** CPU each pod burns doing nothing (GC, health checks). */
  idleCpuMilli: number;
  /** Calls made to each dependency per request received; a missing edge is 1. */
  fanout: Record<string, number>;
  /** Whether the service speaks HTTP and so exports RED metrics (the data stores do not). */
  http: boolean;
}

/** Dependencies outside the cluster: their median latency when healthy. */
export const EXTERNAL_SERVICES: Readonly<Record<string, { latencyMs: number }>> = {
  "payment-gateway": { latencyMs: 180 },
};

const PROFILES: Readonly<Record<string, ServiceProfile>> = {
  "ingress-gateway": { ownWorkMs: 2, cpuMilliPerRps: 6, idleCpuMilli: 20, fanout: { frontend: 1 }, http: true },
  frontend: { ownWorkMs: 25, cpuMilliPerRps: 25, idleCpuMilli: 30, fanout: { catalog: 1.2, checkout: 0.08 }, http: true },
  checkout: { ownWorkMs: 40, cpuMilliPerRps: 120, idleCpuMilli: 30, fanout: { payments: 0.9, cart: 1.5 }, http: true },
  payments: { ownWorkMs: 30, cpuMilliPerRps: 50, idleCpuMilli: 20, fanout: { "payment-gateway": 1 }, http: true },
  cart: { ownWorkMs: 8, cpuMilliPerRps: 30, idleCpuMilli: 20, fanout: { "redis-cart": 2 }, http: true },
  catalog: { ownWorkMs: 15, cpuMilliPerRps: 12, idleCpuMilli: 30, fanout: { "catalog-db": 1.5 }, http: true },
  "redis-cart": { ownWorkMs: 0.8, cpuMilliPerRps: 2, idleCpuMilli: 10, fanout: {}, http: false },
  "catalog-db": { ownWorkMs: 4, cpuMilliPerRps: 8, idleCpuMilli: 50, fanout: {}, http: false },
  "report-gen": { ownWorkMs: 500, cpuMilliPerRps: 400, idleCpuMilli: 10, fanout: { catalog: 4 }, http: true },
};

/** A pod that belongs to no known service (coredns, a rogue pod): idles. */
export const DEFAULT_PROFILE: ServiceProfile = { ownWorkMs: 5, cpuMilliPerRps: 10, idleCpuMilli: 15, fanout: {}, http: false };

export function profileOf(service: string): ServiceProfile {
  return PROFILES[service] ?? DEFAULT_PROFILE;
}

/** Requests per second arriving from outside at each entry point, before the daily curve and noise. */
export function entryRps(cluster: string): Readonly<Record<string, number>> {
  // Staging has no ingress-gateway (only the shop namespace): people and tests hit the frontend.
  return cluster === "prod" ? { "ingress-gateway": 50, "report-gen": 0.2 } : { frontend: 5 };
}
