import type { Finding, Incident, NewAuditEvent, ServiceMetrics } from "@autodevops/shared";
import type { GraphDeps } from "../graph/deps.js";

const BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800];

/**
 * Scarlet's own numbers for `/metrics`: time to detect and to mitigate, actions by kind and
 * outcome, decisions by route, approvals waiting. The graph's audit events are the source, so
 * what is counted is exactly what was recorded.
 */
export class ScarletMetrics {
  readonly #detect;
  readonly #mitigate;
  readonly #actions;
  readonly #decisions;
  readonly #waiting;
  readonly #findings;
  readonly #seen = new Set<string>();

  constructor(m: ServiceMetrics) {
    this.#detect = m.histogram("scarlet_time_to_detect_seconds", "From the first sign of trouble (alert start, finding) to the incident", [], BUCKETS);
    this.#mitigate = m.histogram("scarlet_time_to_mitigate_seconds", "From the incident opening to the verified fix", [], BUCKETS);
    this.#actions = m.counter("scarlet_actions_total", "Actions by kind and outcome", ["kind", "outcome"]);
    this.#decisions = m.counter("scarlet_decisions_total", "Decisions by route", ["route"]);
    this.#waiting = m.gauge("scarlet_approvals_waiting", "Approval requests waiting for a human");
    this.#findings = m.counter("scarlet_findings_total", "Findings taken into incidents, by source", ["source"]);
  }

  /** A finding joined or opened an incident. */
  finding(f: Finding, incident: Incident | undefined): void {
    this.#findings.inc({ source: f.source });
    if (!incident || this.#seen.has(incident.id)) return;
    this.#seen.add(incident.id);
    const start = Date.parse(f.labels.startsAt ?? f.at);
    const opened = Date.parse(incident.openedAt);
    if (Number.isFinite(start) && Number.isFinite(opened)) this.#detect.observe(Math.max(0, opened - start) / 1000);
  }

  /** A request left the waiting list (decided or expired). */
  approvalClosed(): void {
    this.#waiting.dec();
  }

  /** The graph's deps with the audit wrapped to count what it records. */
  instrument(deps: GraphDeps): GraphDeps {
    const append = deps.audit.append.bind(deps.audit);
    const audit: GraphDeps["audit"] = {
      append: async (e: NewAuditEvent) => {
        this.#count(e, deps);
        return append(e);
      },
    };
    return { ...deps, audit };
  }

  #count(e: NewAuditEvent, deps: GraphDeps): void {
    const data = e.data ?? {};
    const kind = (data.action as { kind?: string } | undefined)?.kind ?? "unknown";
    switch (e.type) {
      case "decision.made":
        this.#decisions.inc({ route: String(data.route ?? "unknown") });
        break;
      case "action.succeeded":
        this.#actions.inc({ kind, outcome: "succeeded" });
        break;
      case "action.failed":
        this.#actions.inc({ kind, outcome: "failed" });
        break;
      case "action.skipped":
        this.#actions.inc({ kind, outcome: "skipped" });
        break;
      case "policy.refused":
        this.#actions.inc({ kind, outcome: "refused" });
        break;
      case "approval.requested":
        this.#waiting.inc();
        break;
      case "verification.passed": {
        const i = e.incidentId ? deps.desk.view(e.incidentId) : undefined;
        if (i) this.#mitigate.observe(Math.max(0, deps.now().getTime() - Date.parse(i.openedAt)) / 1000);
        break;
      }
      default:
    }
  }
}
