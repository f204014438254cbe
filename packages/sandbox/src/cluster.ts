import type { ContainerLogs } from "./runtime/container-logs.js";
import type { ClusterStore } from "./store/cluster-store.js";

/** One simulated cluster: its objects, its containers' logs, and its name. */
export interface SimCluster {
  name: string;
  store: ClusterStore;
  logs: ContainerLogs;
}
