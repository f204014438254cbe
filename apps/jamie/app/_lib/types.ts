// The shapes the pages read from Jamie's API (validated on the server side).
export type Role = "viewer" | "approver" | "admin";
export interface Me {
  user: { name: string; role: Role };
  csrf?: string;
}
export interface Citation {
  kind: "metric" | "log" | "trace" | "event" | "incident" | "resource";
  ref: string;
  label?: string;
}
export interface ToolCall {
  id?: string;
  name: string;
  args: Record<string, unknown>;
  status: string;
  result?: string;
}
export interface Message {
  id?: string;
  role: "user" | "assistant";
  text: string;
  citations: Citation[];
  tools: ToolCall[];
  feedback?: "up" | "down" | null;
}
export interface Action {
  kind: string;
  cluster: string;
  namespace: string;
  target: string;
  params: Record<string, unknown>;
}
export interface Incident {
  id: string;
  cluster: string;
  namespace: string;
  workload?: string;
  node?: string;
  title: string;
  severity: "warning" | "critical";
  status: string;
  signals: { source: string; name: string; at: string }[];
  rootCause: { kind: string; summary: string; evidence: string[]; workload?: string; node?: string } | null;
  decision: { route: string; action: Action | null; confidence: number; risk: string; reasons: string[] } | null;
  actions: (Action & { id: string; status: string; requestedAt: string; executedAt?: string; by: string })[];
  openedAt: string;
  updatedAt: string;
  resolvedAt?: string;
}
export interface Approval {
  id: string;
  incidentId: string;
  action: Action;
  risk: string;
  reasons: string[];
  requestedAt: string;
  expiresAt: string;
  status?: string;
  preview?: string;
  /** A GitOps change: merging this pull request is the approval. */
  pullRequest?: { repo: string; number: number; url: string };
}
