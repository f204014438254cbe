const STATUS: Record<string, string> = { open: "b-bad", awaiting_approval: "b-warn", acting: "b-info", verifying: "b-info", resolved: "b-ok", escalated: "b-warn", failed: "b-bad", pending: "b-warn", approved: "b-ok", rejected: "b-muted", expired: "b-muted" };
const RISK: Record<string, string> = { low: "b-ok", medium: "b-warn", high: "b-bad" };
const HEALTH: Record<string, string> = { healthy: "b-ok", degraded: "b-warn", down: "b-bad", "scaled-to-zero": "b-muted" };

export const StatusBadge = ({ status }: { status: string }) => <span className={`badge ${STATUS[status] ?? "b-muted"}`}>{status.replace("_", " ")}</span>;
export const RiskBadge = ({ risk }: { risk: string }) => <span className={`badge ${RISK[risk] ?? "b-muted"}`}>{risk} risk</span>;
export const HealthBadge = ({ health }: { health: string }) => <span className={`badge ${HEALTH[health] ?? "b-muted"}`}>{health}</span>;

export const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString("en-GB", { hour12: false }) : "");
export const actionText = (a: { kind: string; target: string; namespace: string; cluster: string; params: Record<string, unknown> }) =>
  `${a.kind} ${a.cluster}/${a.namespace}/${a.target}${Object.keys(a.params).length ? ` ${JSON.stringify(a.params)}` : ""}`;
