import { z } from "zod";

/** The two simulated clusters of CONTRACTS.md section 1. */
export const CLUSTER_NAMES = ["prod", "staging"] as const;
export const ClusterName = z.enum(CLUSTER_NAMES);
export type ClusterName = z.infer<typeof ClusterName>;
