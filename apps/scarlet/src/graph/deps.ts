import type { KeyObject } from "node:crypto";
import type { Action, AuditStore, EventBus, Finding, Incident, Logger } from "@autodevops/shared";
import type { McpToolbox } from "@autodevops/mcp-clients";
import type { GitOpsChanges } from "../gitops/gitops-path.js";
import type { WorkloadHealth } from "../monitor/cluster-facts.js";
import type { Diagnosis, PlaybookContext } from "../playbooks/types.js";
import type { PolicySettings, TargetFacts } from "../policy/policy-inputs.js";
import type { ActionStore } from "../store/action-store.js";
import type { ApprovalStore } from "../store/approval-store.js";
import type { OutcomeStore } from "../store/outcome-store.js";

/** The incidents as the runtime keeps them; the graph reads and updates them through this. */
export interface IncidentDesk {
  view(id: string): Incident | undefined;
  findings(id: string): Finding[];
  /** The root incident's id when this one is a symptom of another. */
  symptomOf(id: string): string | undefined;
  /** Applies a change to the incident's state, persists it and tells the bus. */
  update(id: string, change: (i: Incident) => void): Promise<Incident | undefined>;
  /** Marks it resolved (with the symptoms folded into it); `tail: false` when nothing was broken. */
  resolve(id: string, opts?: { tail?: boolean }): Promise<void>;
  /**
   * Wall ms of the incident's newest finding (with `watchOnly`, of the Kubernetes watch's: what is
   * true now, unlike rate windows and alerts, which lag a fix by minutes).
   */
  lastFindingAt(id: string, opts?: { watchOnly?: boolean }): number;
}

export type { WorkloadHealth } from "../monitor/cluster-facts.js";

/** What the cluster says now, from the watch's cache. */
export interface LiveFacts {
  playbookContext(cluster: string, now: Date): PlaybookContext;
  targetFacts(action: Action): TargetFacts | undefined;
  annotations(cluster: string, namespace: string, target: { workload?: string; node?: string }): { namespace: Record<string, string>; target: Record<string, string> };
  health(cluster: string, namespace: string, workload: string): WorkloadHealth | undefined;
  /** The NotReady node all of these pods run on, if there is one: their trouble is the node's. */
  notReadyNodeOf?(cluster: string, namespace: string, pods: readonly string[]): string | undefined;
  /** For node actions: whether the node is cordoned and how many Deployment pods still run Ready on it. */
  nodeHealth(cluster: string, node: string): { cordoned: boolean; readyPods: number } | undefined;
}

export interface VerifySettings {
  /** Longest wait for the target to be healthy after an action (wall ms). */
  deadlineMs: number;
  pollMs: number;
  /** The target must look healthy and give no new finding for this long. */
  quietMs: number;
}

/** Everything the nodes use, handed in once when the graph is built. */
export interface GraphDeps {
  now(): Date;
  log: Logger;
  audit: Pick<AuditStore, "append">;
  bus?: Pick<EventBus, "publish">;
  desk: IncidentDesk;
  live: LiveFacts;
  approvals: ApprovalStore;
  actions: ActionStore;
  outcomes: OutcomeStore;
  policy: { settings: PolicySettings; privateKey: KeyObject };
  tools: Pick<McpToolbox, "call">;
  verify: VerifySettings;
  /** How long after an incident opens a low-risk fix may wait for its evidence to mature before a human is asked. */
  evidenceWaitMs: number;
  /** Log and trace lines that confirm a diagnosis (Loki, Tempo), as data for people; never read by a rule. */
  gatherEvidence?: (incident: Incident, findings: Finding[]) => Promise<string[]>;
  /** An LLM's summary of a closing incident; absent without an LLM. */
  summarize?: (incident: Incident, draft: string) => Promise<string>;
  /** An LLM's order of the playbooks' diagnoses (indices); it can only reorder what the playbooks proposed. */
  rank?: (input: { diagnoses: Diagnosis[]; findingsSummary: string[] }) => Promise<number[]>;
  sleep?: (ms: number) => Promise<void>;
  /**
   * The GitOps change path (GITOPS_REPO): an approval-tier change to a GitOps-managed workload is
   * asked for as a pull request; its merge is the approval and ArgoCD, not Scarlet, applies it.
   */
  gitops?: GitOpsChanges;
}
