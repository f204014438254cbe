import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "@autodevops/shared";
import { LeaseElector, type LeaseSettings } from "./leader-election.js";

/** Which clusters this replica works: every one without leader election, the ones whose Lease it holds with it. */
export interface Leadership {
  /** This replica's name on the leases. */
  identity: string;
  /** True only while the lease is held and freshly renewed: checked right before acting. */
  leads(cluster: string): boolean;
  /** Starts contending; `onChange` hears each gain and loss, per cluster. */
  start(onChange: (cluster: string, leading: boolean) => void): void;
  stop(): Promise<void>;
  /** Per cluster, the holder this replica last saw, for readiness and logs. */
  holders(): Record<string, string | undefined>;
}

/**
 * One Lease per cluster, in that cluster's own API server (the same name in each), so replicas
 * can split the clusters between them and a replica cut off from a cluster's API stops acting
 * on it while it may still act on the others.
 */
export function clusterLeadership(o: { clusters: readonly { name: string; kubeConfig: KubeConfig }[]; lease: LeaseSettings; log: Logger }): Leadership {
  const electors = new Map<string, LeaseElector>();
  let listener: (cluster: string, leading: boolean) => void = () => undefined;
  for (const c of o.clusters) {
    electors.set(
      c.name,
      new LeaseElector({
        kubeConfig: c.kubeConfig,
        settings: o.lease,
        log: o.log.child({ cluster: c.name }),
        onStartedLeading: () => listener(c.name, true),
        onStoppedLeading: () => listener(c.name, false),
      }),
    );
  }
  return {
    identity: o.lease.identity,
    leads: (cluster) => electors.get(cluster)?.isLeader() ?? false,
    start(onChange) {
      listener = onChange;
      for (const e of electors.values()) e.start();
    },
    async stop() {
      await Promise.all([...electors.values()].map((e) => e.stop()));
    },
    holders: () => Object.fromEntries([...electors].map(([name, e]) => [name, e.holder()])),
  };
}
